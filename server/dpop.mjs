/**
 * DPoP (RFC 9449) for the protected API: checks the `DPoP` proof that comes with an
 * `Authorization: DPoP <access token>` request, and hands out the API's own nonces (§9).
 * oidc-provider checks the proofs sent to its token endpoint itself.
 *
 * node:crypto alone (no JOSE dependency), ES256 only: the algorithm a browser's WebCrypto makes
 * non-extractable P-256 keys for.
 *
 * @module
 */
import { createHash, createPublicKey, randomBytes, verify } from 'node:crypto'
import { decodeJwt, JwtError } from './jwt.mjs'

/** How far a proof's `iat` may be from the server's clock, in seconds (RFC 9449 §11.1). */
export const DPOP_IAT_WINDOW_SECONDS = 60

/** How long an API nonce stays acceptable after it was issued, in seconds. */
export const DPOP_NONCE_TTL_SECONDS = 300

/** Upper bound on remembered proof ids and nonces, so a flood cannot grow memory without end. */
const MAX_REMEMBERED = 10_000

/** Why a proof was refused; the message is safe to put in an `error_description`. */
export class DpopError extends Error {
  name = 'DpopError'
  /**
   * @param {string} message
   * @param {'invalid_dpop_proof' | 'use_dpop_nonce' | 'invalid_token'} code RFC 9449 §7.1, §9.
   */
  constructor(message, code = 'invalid_dpop_proof') {
    super(message)
    this.code = code
  }
}

/** @param {string | Buffer} value */
const sha256 = (value) => createHash('sha256').update(value).digest('base64url')

/**
 * The RFC 7638 JWK thumbprint (SHA-256, base64url) of a public EC, RSA or OKP key: the value of
 * `cnf.jkt` (RFC 9449 §6.1) and of `dpop_jkt` (§10).
 *
 * @param {Record<string, unknown>} jwk
 * @returns {string}
 */
export function jwkThumbprint(jwk) {
  /** @type {Record<string, string[]>} */
  const members = { EC: ['crv', 'kty', 'x', 'y'], RSA: ['e', 'kty', 'n'], OKP: ['crv', 'kty', 'x'] }
  const names = members[String(jwk.kty)]
  if (!names) throw new DpopError(`unsupported key type ${String(jwk.kty)}`)
  const required = Object.fromEntries(names.map((name) => [name, jwk[name]]))
  if (Object.values(required).some((value) => typeof value !== 'string')) {
    throw new DpopError('the jwk is missing members')
  }
  // Lexicographic member order, no whitespace: JSON.stringify keeps insertion order.
  return sha256(JSON.stringify(required))
}

/**
 * Remembers values until they expire; `add` answers false for a value already there.
 * Bounded: the oldest entries go first when full.
 */
function createExpiringSet() {
  /** @type {Map<string, number>} value → expiry (ms) */
  const entries = new Map()
  const prune = () => {
    const now = Date.now()
    for (const [value, expiry] of entries) {
      if (expiry > now && entries.size < MAX_REMEMBERED) break
      entries.delete(value)
    }
  }
  return {
    /** @param {string} value @param {number} ttlMs */
    add(value, ttlMs) {
      prune()
      if (entries.has(value)) return false
      entries.set(value, Date.now() + ttlMs)
      return true
    },
    /** @param {string} value */
    has(value) {
      prune()
      return entries.has(value)
    },
  }
}

/**
 * The API's nonces (RFC 9449 §9): random, each accepted for {@link DPOP_NONCE_TTL_SECONDS}.
 *
 * The API lives on the issuer's origin, and a client keeps one nonce per origin: so the nonces
 * oidc-provider hands out at the token endpoint are `adopt`ed (accepted here too, and handed out
 * by the next challenge while fresh), and a client that has one does not get challenged again.
 * oidc-provider accepts only its own, so after an API challenge the token endpoint may challenge
 * once more; the nonce it gives then works at both.
 */
export function createNonceIssuer() {
  const issued = createExpiringSet()
  let current = ''
  let currentUntil = 0
  /**
   * @param {string} nonce
   * @param {number} ttlSeconds
   */
  const remember = (nonce, ttlSeconds) => {
    issued.add(nonce, ttlSeconds * 1000)
    current = nonce
    // Handed out for the first half of its life only, so a client gets one that lasts.
    currentUntil = Date.now() + (ttlSeconds * 1000) / 2
    return nonce
  }
  return {
    /** The nonce to hand out now: the latest one while fresh, else a new one. */
    current() {
      return current && Date.now() < currentUntil
        ? current
        : remember(randomBytes(16).toString('base64url'), DPOP_NONCE_TTL_SECONDS)
    },
    /**
     * Accepts a nonce oidc-provider issued, for as long as oidc-provider surely does (it
     * accepts its nonces for two to three minutes).
     *
     * @param {string} nonce
     */
    adopt(nonce) {
      if (nonce !== current) remember(nonce, 120)
    },
    /** @param {unknown} nonce */
    isValid(nonce) {
      return typeof nonce === 'string' && nonce !== '' && issued.has(nonce)
    },
  }
}

/**
 * @typedef {object} DpopCheck
 * @property {string} method The request's method (`htm`).
 * @property {string} url The request's URL; query and fragment are ignored (`htu`, §4.3).
 * @property {string} accessToken The access token sent with the proof (`ath`).
 * @property {string} jkt The access token's `cnf.jkt`.
 * @property {((nonce: unknown) => boolean) | undefined} checkNonce When set, a nonce is required
 *   and must pass this check.
 */

/**
 * Creates a verifier that checks proofs (§4.3) and refuses a `jti` seen before (§11.1).
 */
export function createProofVerifier() {
  const seen = createExpiringSet()

  /**
   * @param {string} proof The `DPoP` header.
   * @param {DpopCheck} expected
   * @returns {{ jkt: string, jti: string }}
   * @throws {DpopError}
   */
  return function verifyProof(proof, { method, url, accessToken, jkt, checkNonce }) {
    let decoded
    try {
      decoded = decodeJwt(proof)
    } catch (error) {
      if (error instanceof JwtError) throw new DpopError(`the proof: ${error.message}`)
      throw error
    }
    const { header, payload } = decoded
    if (header.typ !== 'dpop+jwt') throw new DpopError('the proof typ is not dpop+jwt')
    if (header.alg !== 'ES256') throw new DpopError('the proof is not signed with ES256')
    const jwk = /** @type {Record<string, unknown>} */ (header.jwk)
    if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) {
      throw new DpopError('the proof has no jwk header')
    }
    if (jwk.kty !== 'EC' || jwk.crv !== 'P-256') throw new DpopError('the proof jwk is not P-256')
    if ('d' in jwk) throw new DpopError('the proof jwk holds a private key')

    let key
    try {
      key = createPublicKey({
        key: /** @type {import('node:crypto').JsonWebKey} */ (jwk),
        format: 'jwk',
      })
    } catch {
      throw new DpopError('the proof jwk is not a valid key')
    }
    const end = proof.lastIndexOf('.')
    const signature = Buffer.from(proof.slice(end + 1), 'base64url')
    const valid = verify(
      'sha256',
      Buffer.from(proof.slice(0, end)),
      { key, dsaEncoding: 'ieee-p1363' },
      signature,
    )
    if (!valid) throw new DpopError('the proof signature is invalid')

    if (payload.htm !== method) throw new DpopError('the proof htm does not match the request')
    const htu = typeof payload.htu === 'string' ? URL.parse(payload.htu) : null
    const target = new URL(url)
    for (const u of [htu, target]) {
      if (u) {
        u.search = ''
        u.hash = ''
      }
    }
    if (!htu || htu.href !== target.href) {
      throw new DpopError('the proof htu does not match the request')
    }
    if (typeof payload.iat !== 'number') throw new DpopError('the proof has no iat')
    if (Math.abs(Date.now() / 1000 - payload.iat) > DPOP_IAT_WINDOW_SECONDS) {
      throw new DpopError('the proof iat is too far from now')
    }
    if (typeof payload.jti !== 'string' || payload.jti.length < 8) {
      throw new DpopError('the proof has no jti')
    }
    if (payload.ath !== sha256(accessToken)) {
      throw new DpopError('the proof ath does not match the access token')
    }
    const thumbprint = jwkThumbprint(jwk)
    if (thumbprint !== jkt) {
      throw new DpopError('the access token is bound to another key (cnf.jkt)', 'invalid_token')
    }
    if (checkNonce && !checkNonce(payload.nonce)) {
      throw new DpopError(
        payload.nonce === undefined ? 'a DPoP nonce is required' : 'the DPoP nonce is not valid',
        'use_dpop_nonce',
      )
    }
    // Last, so that a refused proof does not burn its jti (the client retries with a nonce).
    if (!seen.add(payload.jti, 2 * DPOP_IAT_WINDOW_SECONDS * 1000)) {
      throw new DpopError('the proof jti was used before')
    }
    return { jkt: thumbprint, jti: payload.jti }
  }
}
