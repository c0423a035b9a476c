import { fail } from './errors.js'
import { decodeJwt, type JwtClaims } from './jwt.js'

/** What an ID token is checked against. */
export interface IdTokenExpectations {
  /** The authorization server's issuer identifier, compared exactly. */
  issuer: string
  /** The client id: `aud` must contain it, and `azp` must equal it when present. */
  clientId: string
  /** The nonce sent with the request; required back when set. */
  nonce?: string | undefined
  /** Allowed clock skew. @default 60 */
  leewaySeconds?: number
  /** Epoch ms to check against. @default Date.now() */
  now?: number
}

const refuse = (check: string): never => fail('invalid_id_token', `ID token ${check}: log in again`)

/**
 * Checks an ID token's claims as OIDC Core §3.1.3.7 asks of a client that got it straight from
 * the token endpoint: `alg` not `none`; `iss` equal to the issuer; `aud` containing the client
 * id, and `azp` equal to it when present or when there are several audiences; `exp` in the
 * future and `iat` not in the future (with leeway); `nonce` equal to the request's; `sub` present.
 * The signature is not checked: TLS to the token endpoint authenticates the sender (step 6).
 *
 * @returns the claims.
 * @throws {@link AuthError} `invalid_id_token` naming the failed check.
 * @example
 * ```ts
 * const user = validateIdTokenClaims(tokens.idToken, { issuer, clientId, nonce })
 * ```
 */
export const validateIdTokenClaims = (idToken: string, expected: IdTokenExpectations): JwtClaims =>
  checkIdTokenClaims(
    idToken,
    expected.issuer,
    expected.clientId,
    expected.leewaySeconds ?? 60,
    expected.nonce,
    expected.now ?? Date.now(),
  )

/** {@link validateIdTokenClaims} with positional arguments: the client's call carries no option names. */
export const checkIdTokenClaims = (
  idToken: string,
  issuer: string,
  clientId: string,
  leewaySeconds: number,
  nonce?: string,
  now = Date.now(),
): JwtClaims => {
  const { header, payload: claims } = decodeJwt(idToken)
  const leewayMs = leewaySeconds * 1000
  const audiences = ([] as unknown[]).concat(claims.aud)
  if (typeof header.alg !== 'string' || header.alg.toLowerCase() === 'none') refuse('alg is none')
  if (claims.iss !== issuer) refuse(`iss is not ${issuer}`)
  if (!audiences.includes(clientId)) refuse('aud lacks clientId')
  if ((audiences.length > 1 || claims.azp !== undefined) && claims.azp !== clientId) {
    refuse('azp is not clientId')
  }
  if (typeof claims.exp !== 'number' || claims.exp * 1000 + leewayMs <= now) refuse('expired')
  if (typeof claims.iat !== 'number' || claims.iat * 1000 - leewayMs > now)
    refuse('iat missing or future')
  if (nonce !== undefined && claims.nonce !== nonce) refuse('nonce mismatch')
  if (typeof claims.sub !== 'string' || !claims.sub) refuse('sub missing')
  return claims
}
