/**
 * RS256 JSON Web Tokens with node:crypto alone (RFC 7515 compact serialization, RFC 7519 claims).
 *
 * The server needs to verify the access tokens oidc-provider issues; tests need to mint tokens
 * that are expired, for another audience or badly signed. Both fit in a few lines of node:crypto,
 * so no JOSE dependency is added.
 *
 * @module
 */
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto'

/**
 * @typedef {object} DecodedJwt
 * @property {Record<string, unknown>} header JOSE header.
 * @property {Record<string, unknown>} payload JWT claims set.
 */

/** Why a token was refused; the message is safe to put in an `error_description`. */
export class JwtError extends Error {
  name = 'JwtError'
}

/** @param {unknown} value */
const encode = (value) => Buffer.from(JSON.stringify(value)).toString('base64url')

/**
 * @param {string} segment
 * @param {string} what
 * @returns {Record<string, unknown>}
 */
function decodeSegment(segment, what) {
  let value
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'))
  } catch {
    throw new JwtError(`the ${what} is not base64url-encoded JSON`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new JwtError(`the ${what} is not a JSON object`)
  }
  return value
}

/**
 * Signs a claims set with RS256.
 *
 * @param {Record<string, unknown>} payload Claims, taken as given (nothing is added).
 * @param {object} options
 * @param {import('node:crypto').KeyObject | import('node:crypto').JsonWebKey} options.privateKey
 *   RSA private key, as a KeyObject or a private JWK.
 * @param {string} [options.kid] Key id for the header.
 * @param {string} [options.typ] Header `typ`, e.g. `at+jwt` for access tokens (RFC 9068 §2.1).
 * @param {string} [options.alg] Header `alg`; only for minting deliberately wrong tokens in tests,
 *   the signature is always RS256.
 * @returns {string} The compact JWS.
 */
export function signJwt(payload, { privateKey, kid, typ = 'JWT', alg = 'RS256' }) {
  const key =
    'type' in privateKey ? privateKey : createPrivateKey({ key: privateKey, format: 'jwk' })
  const header = { alg, typ, ...(kid === undefined ? {} : { kid }) }
  const signingInput = `${encode(header)}.${encode(payload)}`
  const signature = sign('RSA-SHA256', Buffer.from(signingInput), key).toString('base64url')
  return `${signingInput}.${signature}`
}

/**
 * Decodes a compact JWS without verifying it.
 *
 * @param {string} token
 * @returns {DecodedJwt}
 */
export function decodeJwt(token) {
  const parts = token.split('.')
  if (parts.length !== 3) throw new JwtError('the token is not a compact JWS (three segments)')
  const [header, payload] = parts
  return {
    header: decodeSegment(/** @type {string} */ (header), 'header'),
    payload: decodeSegment(/** @type {string} */ (payload), 'payload'),
  }
}

/**
 * Verifies an RS256 signature and returns the decoded token. Claims are not checked here: what
 * is acceptable depends on the token's use (see protected-api.mjs for access tokens).
 *
 * Only RS256 is accepted, whatever the header says, so `alg: none` and HMAC-with-the-public-key
 * confusion cannot work (RFC 8725 §2.1, §3.1).
 *
 * @param {string} token
 * @param {import('node:crypto').KeyObject | import('node:crypto').JsonWebKey} publicKey
 * @returns {DecodedJwt}
 * @throws {JwtError}
 */
export function verifyJwt(token, publicKey) {
  const decoded = decodeJwt(token)
  if (decoded.header.alg !== 'RS256') {
    throw new JwtError(`the token is signed with ${String(decoded.header.alg)}, expected RS256`)
  }
  const key = 'type' in publicKey ? publicKey : createPublicKey({ key: publicKey, format: 'jwk' })
  const end = token.lastIndexOf('.')
  const signature = Buffer.from(token.slice(end + 1), 'base64url')
  if (!verify('RSA-SHA256', Buffer.from(token.slice(0, end)), key, signature)) {
    throw new JwtError('the signature is invalid')
  }
  return decoded
}
