import { base64urlEncode } from './base64url.js'

/**
 * A fresh one-time secret: 32 bytes from `crypto.getRandomValues`, base64url, so 43 characters
 * of the URL-safe alphabet with 256 bits of entropy. latchkey makes every `state` and `nonce`
 * with it (RFC 6749 §10.10 asks for at least 128 bits), and every PKCE `code_verifier`
 * ({@link createCodeVerifier}: RFC 7636 §4.1 recommends these 32 bytes).
 *
 * @example
 * ```ts
 * const state = createRandomState() // 'Qm9vLi4u…' (43 chars)
 * ```
 */
export const createRandomState = (): string =>
  base64urlEncode(crypto.getRandomValues(new Uint8Array(32)))
