/**
 * DPoP proofs (RFC 9449 §4) made in Node, for server tests that play a DPoP client without a
 * browser. ES256 with a P-256 key, as a browser's WebCrypto would sign them.
 *
 * @module
 */
import { createHash, generateKeyPairSync, randomUUID, sign } from 'node:crypto'
import { jwkThumbprint } from '../../server/dpop.mjs'

/**
 * @typedef {object} DpopKey
 * @property {import('node:crypto').KeyObject} privateKey
 * @property {{ kty: string, crv: string, x: string, y: string }} jwk The public key.
 * @property {string} jkt Its RFC 7638 thumbprint (`dpop_jkt`, `cnf.jkt`).
 */

/** @returns {DpopKey} */
export function createDpopKey() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const { kty, crv, x, y } = /** @type {Record<string, string>} */ (
    publicKey.export({ format: 'jwk' })
  )
  const jwk = { kty: String(kty), crv: String(crv), x: String(x), y: String(y) }
  return { privateKey, jwk, jkt: jwkThumbprint(jwk) }
}

/** @param {unknown} value */
const encode = (value) => Buffer.from(JSON.stringify(value)).toString('base64url')

/**
 * A DPoP proof JWT. Every claim can be overridden (or removed with `undefined`) to make a bad one.
 *
 * @param {DpopKey} key
 * @param {object} claims
 * @param {string} claims.htm
 * @param {string} claims.htu
 * @param {string} [claims.accessToken] Adds `ath` (resource requests, §4.2).
 * @param {string} [claims.nonce]
 * @param {Record<string, unknown>} [claims.payload] Claims merged over the computed ones.
 * @param {Record<string, unknown>} [claims.header] Header members merged over the computed ones.
 * @param {DpopKey} [claims.signWith] Sign with another key than the one in the header.
 * @returns {string}
 */
export function dpopProof(
  key,
  { htm, htu, accessToken, nonce, payload = {}, header = {}, signWith },
) {
  const head = { typ: 'dpop+jwt', alg: 'ES256', jwk: key.jwk, ...header }
  const body = {
    jti: randomUUID(),
    htm,
    htu,
    iat: Math.floor(Date.now() / 1000),
    ...(accessToken === undefined
      ? {}
      : { ath: createHash('sha256').update(accessToken).digest('base64url') }),
    ...(nonce === undefined ? {} : { nonce }),
    ...payload,
  }
  const input = `${encode(head)}.${encode(body)}`
  const signature = sign('sha256', Buffer.from(input), {
    key: (signWith ?? key).privateKey,
    dsaEncoding: 'ieee-p1363',
  })
  return `${input}.${signature.toString('base64url')}`
}
