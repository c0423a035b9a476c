import { base64urlEncode } from '../base64url.js'
import { createRandomState } from '../random.js'

/** The public half of a DPoP key as a JWK: only the members RFC 7638 §3.2 hashes. */
export interface PublicJwk {
  kty: 'EC'
  crv: 'P-256'
  x: string
  y: string
}

/** A key ready to sign proofs: the private key, its public JWK and the JWK's thumbprint. */
export interface DpopKey {
  /** Non-extractable: signs, never leaves WebCrypto. */
  privateKey: CryptoKey
  /** Goes into every proof's header (RFC 9449 §4.2). */
  jwk: PublicJwk
  /** RFC 7638 SHA-256 thumbprint: `dpop_jkt` (§10) and the tokens' `cnf.jkt` (§6.1). */
  jkt: string
}

/** What one proof is for (RFC 9449 §4.2). */
export interface ProofClaims {
  /** `htm`: the request's method. */
  method: string
  /** The request's URL; `htu` is it without query and fragment. */
  url: string
  /** The server's latest nonce for this origin (§8, §9), when it gave one. */
  nonce?: string | undefined
  /** For a resource request: the access token it carries, hashed into `ath` (§4.2, §7). */
  accessToken?: string | undefined
}

const encoder = new TextEncoder()
const sha256 = async (text: string) =>
  base64urlEncode(await crypto.subtle.digest('SHA-256', encoder.encode(text)))
const encodeJson = (value: object) => base64urlEncode(encoder.encode(JSON.stringify(value)))

/**
 * `htu` (RFC 9449 §4.2): the request's URL without query and fragment. Parsing it makes the
 * comparison the server does (§4.3, RFC 3986 §6.2.2–6.2.3) come out equal: scheme and host in
 * lower case, the scheme's default port left out.
 *
 * @example
 * ```ts
 * htuOf('HTTPS://Id.Example.com:443/oauth/token?x=1#f') // 'https://id.example.com/oauth/token'
 * ```
 */
export const htuOf = (url: string): string => {
  const parsed = new URL(url)
  parsed.search = parsed.hash = ''
  return parsed.href
}

/**
 * A key pair's {@link DpopKey}: its public JWK (exported from the public key, which WebCrypto
 * always lets out) and the RFC 7638 thumbprint: SHA-256 of the required members `crv`, `kty`,
 * `x`, `y` in that order, without whitespace.
 *
 * @example
 * ```ts
 * const { jkt } = await dpopKeyOf(await loadOrCreateKeyPair(id)) // dpop_jkt for /authorize
 * ```
 */
export const dpopKeyOf = async ({ privateKey, publicKey }: CryptoKeyPair): Promise<DpopKey> => {
  const { crv, kty, x, y } = await crypto.subtle.exportKey('jwk', publicKey)
  const jwk = { crv, kty, x, y } as PublicJwk
  return { privateKey, jwk, jkt: await sha256(JSON.stringify(jwk)) }
}

/**
 * A DPoP proof (RFC 9449 §4.2): a JWS signed with ES256 whose header has `typ: dpop+jwt`, `alg`
 * and the public `jwk`, and whose claims are a fresh `jti`, `htm`, `htu`, `iat`, the server's
 * `nonce` when there is one and, for a resource request, `ath`: base64url(SHA-256(access token)).
 * WebCrypto's ECDSA signature is already the `r || s` form JWS asks for (RFC 7518 §3.4).
 *
 * @example
 * ```ts
 * headers.set('dpop', await createDpopProof(key, { method: 'POST', url: tokenEndpoint, nonce }))
 * ```
 */
export const createDpopProof = async (
  { privateKey, jwk }: DpopKey,
  { method, url, nonce, accessToken }: ProofClaims,
): Promise<string> => {
  const input = `${encodeJson({ typ: 'dpop+jwt', alg: 'ES256', jwk })}.${encodeJson({
    jti: createRandomState(),
    htm: method,
    htu: htuOf(url),
    iat: Math.floor(Date.now() / 1000),
    nonce,
    ath: accessToken ? await sha256(accessToken) : undefined,
  })}`
  const signature = await crypto.subtle.sign(
    { name: 'ECDSA', hash: 'SHA-256' },
    privateKey,
    encoder.encode(input),
  )
  return `${input}.${base64urlEncode(signature)}`
}
