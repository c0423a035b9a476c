/** Base64url without padding (RFC 4648 §5, as RFC 7636 Appendix A asks). */
export const base64urlEncode = (bytes: ArrayBuffer | Uint8Array): string =>
  btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')

/**
 * A fresh one-time secret: 32 bytes from `crypto.getRandomValues`, base64url, so 43 characters
 * of the URL-safe alphabet with 256 bits of entropy. latchkey makes every `state` and `nonce`
 * with it (`createRandomState`; RFC 6749 §10.10 asks for at least 128 bits) and every PKCE
 * `code_verifier` (`createCodeVerifier`; RFC 7636 §4.1 and §7.1 recommend these 32 bytes). One
 * function under those two names, so a bundle carries it once.
 *
 * @example
 * ```ts
 * const state = createRandomState() // 'Qm9vLi4u…' (43 chars)
 * const codeVerifier = createCodeVerifier()
 * ```
 */
export const randomBase64url = (): string =>
  base64urlEncode(crypto.getRandomValues(new Uint8Array(32)))
