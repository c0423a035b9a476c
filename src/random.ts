import { base64urlEncode } from './base64url.js'

/**
 * A fresh random value for `state` or `nonce`: 32 bytes from `crypto.getRandomValues`
 * (256 bits; RFC 6749 §10.10 asks for at least 128), base64url: 43 characters.
 *
 * @example
 * ```ts
 * const state = createRandomState() // 'Qm9vLi4u…' (43 chars)
 * ```
 */
export const createRandomState = (): string =>
  base64urlEncode(crypto.getRandomValues(new Uint8Array(32)))
