import { createCodeVerifier } from './pkce.js'

/**
 * A fresh random value for `state` or `nonce`: 32 bytes from `crypto.getRandomValues`
 * (256 bits; RFC 6749 §10.10 asks for at least 128), base64url: 43 characters. It is made
 * exactly as a code verifier is.
 *
 * @example
 * ```ts
 * const state = createRandomState() // 'Qm9vLi4u…' (43 chars)
 * ```
 */
export const createRandomState: () => string = createCodeVerifier
