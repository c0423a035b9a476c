/**
 * `createRandomState`: a fresh `state` or `nonce` (see {@link randomBase64url}). The generator
 * lives beside the encoding it uses, so the PKCE verifier and the state share it without one of
 * these modules depending on the other.
 *
 * @module
 */
export { randomBase64url as createRandomState } from './base64url.js'
