import { base64urlEncode } from './base64url.js'
import { AuthError } from './errors.js'

// A new PKCE `code_verifier` (RFC 7636 §4.1) is made exactly as a `state` is: the same
// function under another name, with no alias for a bundle to carry.
export { randomBase64url as createCodeVerifier } from './base64url.js'

/**
 * The S256 `code_challenge` for a verifier: base64url(SHA-256(ASCII(verifier))) (RFC 7636 §4.2).
 * There is no `plain` fallback (RFC 9700 §2.1.1): without `crypto.subtle` (a page served over
 * plain http other than localhost) it throws `insecure_context`.
 *
 * @throws {@link AuthError} `insecure_context`, or `invalid_config` for a malformed verifier.
 * @example
 * ```ts
 * await createCodeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')
 * // 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'
 * ```
 */
export const createCodeChallenge = async (codeVerifier: string): Promise<string> => {
  const subtle = crypto.subtle
  if (!subtle) {
    throw new AuthError('insecure_context', 'No crypto.subtle: use https')
  }
  if (!/^[\w.~-]{43,128}$/.test(codeVerifier)) {
    throw new AuthError('invalid_config', 'Bad code_verifier: use createCodeVerifier()')
  }
  return base64urlEncode(await subtle.digest('SHA-256', new TextEncoder().encode(codeVerifier)))
}
