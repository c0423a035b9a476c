import { fail } from './errors.js'

/** Claims of a JWT (RFC 7519 §4); registered ones typed, the rest left open. */
export interface JwtClaims {
  /** Issuer (RFC 7519 §4.1.1). */
  iss?: string
  /** Subject: the user's stable identifier at the issuer (RFC 7519 §4.1.2). */
  sub?: string
  /** Audience: who the token is for (RFC 7519 §4.1.3). */
  aud?: string | string[]
  /** Expiration time, in seconds since the epoch (RFC 7519 §4.1.4). */
  exp?: number
  /** Issued-at time, in seconds since the epoch (RFC 7519 §4.1.6). */
  iat?: number
  /** Not-before time, in seconds since the epoch (RFC 7519 §4.1.5). */
  nbf?: number
  /** The `nonce` of the authorization request, in an ID token (OIDC Core §2). */
  nonce?: string
  /** Authorized party: the client the ID token was issued to (OIDC Core §2). */
  azp?: string
  [claim: string]: unknown
}

/** A decoded JWS compact serialization. */
export interface DecodedJwt {
  /** The JOSE header (RFC 7515 §4). */
  header: {
    /** Signature algorithm (RFC 7515 §4.1.1). */
    alg?: string
    /** Key ID (RFC 7515 §4.1.4). */
    kid?: string
    /** Media type of the whole JWS (RFC 7515 §4.1.9). */
    typ?: string
    [name: string]: unknown
  }
  /** The claims, unverified. */
  payload: JwtClaims
}

/**
 * The JSON object in one base64url part (RFC 7515 §2: unpadded), read as UTF-8; anything else (an
 * array, a string, null) is undefined.
 */
const decodeObject = (part: string) => {
  const binary = atob(part.replace(/-/g, '+').replace(/_/g, '/'))
  const text = new TextDecoder('utf-8', { fatal: true }).decode(
    Uint8Array.from(binary, (char) => char.charCodeAt(0)),
  )
  const value: unknown = JSON.parse(text)
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined
}

/**
 * Decodes a JWT's header and claims without checking its signature: use it to read a token
 * that came straight from the token endpoint over TLS (OIDC Core §3.1.3.7 step 6), or for
 * display. It never makes a token trustworthy.
 *
 * @throws {@link AuthError} `invalid_id_token` when it is not a three-part JWS of JSON objects.
 * @example
 * ```ts
 * const { payload } = decodeJwt(tokens.idToken)
 * console.log(payload.sub)
 * ```
 */
export const decodeJwt = (jwt: string): DecodedJwt => {
  try {
    // Three parts of the base64url alphabet only: atob alone would also take `+`, `/` and spaces.
    if (/^[\w-]+\.[\w-]+\.[\w-]*$/.test(jwt)) {
      const [header, payload] = jwt.split('.').slice(0, 2).map(decodeObject)
      if (header && payload) return { header, payload }
    }
  } catch {}
  return fail('invalid_id_token', 'Not a JWT: check server')
}
