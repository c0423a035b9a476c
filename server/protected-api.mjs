/**
 * A tiny protected API (the "resource server" of RFC 6749 §1.1): `GET /api/messages` answers only
 * to a valid JWT access token for its audience, sent as `Authorization: Bearer` (RFC 6750 §2.1),
 * or, for a DPoP-bound token (one with `cnf.jkt`), as `Authorization: DPoP` with a `DPoP` proof
 * (RFC 9449 §7). A DPoP-bound token sent as Bearer is refused (§7.2).
 *
 * @module
 */
import { answerPreflight, applyCors } from './cors.mjs'
import { createProofVerifier, DpopError } from './dpop.mjs'
import { JwtError, verifyJwt } from './jwt.mjs'

export const API_PATH = '/api/messages'

/** Realm for the WWW-Authenticate challenge (RFC 6750 §3). */
const REALM = 'latchkey-api'

/** RFC 6750 §2.1: `Bearer` is case-insensitive, then one space, then the b64token. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i
/** RFC 9449 §7.1: the same shape with the `DPoP` scheme. */
const DPOP = /^DPoP +([A-Za-z0-9\-._~+/]+=*)$/i
/** The one proof algorithm this API takes (see dpop.mjs). */
const DPOP_ALGS = 'ES256'

/**
 * Checks an access token as RFC 9068 §4 asks: signature with the server's key, `iss` equal to the
 * issuer, `aud` containing this API, `exp` in the future. No leeway: issuer and API share a clock.
 *
 * @param {string} token
 * @param {{ issuer: string, audience: string, publicKey: import('node:crypto').KeyObject }} expected
 * @returns {Record<string, unknown>} The claims.
 * @throws {JwtError}
 */
export function verifyAccessToken(token, { issuer, audience, publicKey }) {
  const { header, payload } = verifyJwt(token, publicKey)
  if (header.typ !== undefined && String(header.typ).toLowerCase() !== 'at+jwt') {
    // RFC 9068 §2.1, §4: an ID token or other JWT must not pass for an access token.
    throw new JwtError(`the token type is ${String(header.typ)}, expected at+jwt`)
  }
  if (payload.iss !== issuer) throw new JwtError('the token was issued by another issuer')
  const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud]
  if (!aud.includes(audience)) throw new JwtError(`the token is not meant for ${audience}`)
  if (typeof payload.exp !== 'number' || payload.exp * 1000 <= Date.now()) {
    throw new JwtError('the token has expired')
  }
  if (typeof payload.nbf === 'number' && payload.nbf * 1000 > Date.now()) {
    throw new JwtError('the token is not valid yet')
  }
  return payload
}

/**
 * @typedef {object} ApiStats
 * @property {number} ok Requests answered 200.
 * @property {number} unauthorized Requests answered 401 (nonce challenges included).
 * @property {number} bearer Requests with `Authorization: Bearer`, whatever the outcome.
 * @property {number} dpop Requests with `Authorization: DPoP`, whatever the outcome.
 * @property {number} nonceChallenges 401s with `error="use_dpop_nonce"`.
 */

/**
 * @param {object} options
 * @param {string} options.issuer
 * @param {string} options.audience
 * @param {import('node:crypto').KeyObject} options.publicKey Verifies access tokens.
 * @param {ReadonlySet<string>} options.allowedOrigins Browser origins allowed to call the API.
 * @param {{ api: ApiStats }} options.stats
 * @param {() => boolean} [options.requireNonce] Read on every request: when true, a DPoP proof
 *   must carry a nonce from `nonces` (RFC 9449 §9).
 * @param {ReturnType<typeof import('./dpop.mjs').createNonceIssuer>} options.nonces The API's
 *   nonces (see dpop.mjs: they include the token endpoint's).
 * @returns {(ctx: import('koa').Context, next: () => Promise<void>) => Promise<void>}
 */
export function protectedApi({
  issuer,
  audience,
  publicKey,
  allowedOrigins,
  stats,
  requireNonce = () => false,
  nonces,
}) {
  const verifyProof = createProofVerifier()

  return async function messagesEndpoint(ctx, next) {
    if (ctx.path !== API_PATH) return next()
    ctx.set('Cache-Control', 'no-store')

    if (ctx.method === 'OPTIONS') {
      // The Authorization (and DPoP) header makes the browser send a preflight first.
      return answerPreflight(ctx, allowedOrigins, {
        methods: 'GET',
        headers: 'Authorization, DPoP',
      })
    }
    applyCors(ctx, allowedOrigins, ['WWW-Authenticate', 'DPoP-Nonce'])
    if (ctx.method !== 'GET') {
      ctx.set('Allow', 'GET, OPTIONS')
      ctx.status = 405
      return
    }
    const nonceRequired = requireNonce()
    // RFC 9449 §9: a fresh nonce may come with any response; clients keep the latest.
    if (nonceRequired) ctx.set('DPoP-Nonce', nonces.current())

    /** @param {string} text */
    const safe = (text) => text.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, '?')

    /**
     * @param {'Bearer' | 'DPoP'} scheme
     * @param {string} [error] `invalid_token`, `invalid_dpop_proof`, `use_dpop_nonce`.
     * @param {string} [reason]
     */
    const refuse = (scheme, error, reason) => {
      // RFC 6750 §3: error_description may not contain '"' or '\' or non-ASCII characters.
      const description = reason === undefined ? undefined : safe(reason)
      stats.api.unauthorized += 1
      ctx.status = 401
      const params = [
        `realm="${REALM}"`,
        ...(scheme === 'DPoP' ? [`algs="${DPOP_ALGS}"`] : []),
        // RFC 6750 §3.1: without credentials the challenge carries no error code.
        ...(error === undefined ? [] : [`error="${error}"`]),
        ...(description === undefined ? [] : [`error_description="${description}"`]),
      ]
      ctx.set('WWW-Authenticate', `${scheme} ${params.join(', ')}`)
      ctx.body = {
        error: error ?? 'unauthorized',
        ...(description === undefined ? {} : { error_description: description }),
      }
    }

    const authorization = ctx.get('Authorization')
    const scheme = /^DPoP(\s|$)/i.test(authorization)
      ? 'DPoP'
      : /^Bearer(\s|$)/i.test(authorization)
        ? 'Bearer'
        : undefined
    if (scheme === undefined) return refuse('Bearer')
    if (scheme === 'DPoP') stats.api.dpop += 1
    else stats.api.bearer += 1

    const token = (scheme === 'DPoP' ? DPOP : BEARER).exec(authorization)?.[1]
    if (token === undefined) {
      return refuse(
        scheme,
        'invalid_token',
        `the Authorization header is not ${scheme} followed by a token`,
      )
    }

    let claims
    try {
      claims = verifyAccessToken(token, { issuer, audience, publicKey })
    } catch (error) {
      if (error instanceof JwtError) return refuse(scheme, 'invalid_token', error.message)
      throw error
    }
    const cnf = /** @type {{ jkt?: unknown } | undefined} */ (claims.cnf)
    const jkt = typeof cnf?.jkt === 'string' ? cnf.jkt : undefined

    if (scheme === 'Bearer' && jkt !== undefined) {
      // RFC 9449 §7.2: a DPoP-bound token is worthless without its key.
      return refuse(
        'DPoP',
        'invalid_token',
        'the token is DPoP-bound: send it as DPoP with a proof',
      )
    }
    if (scheme === 'DPoP') {
      if (jkt === undefined) {
        return refuse('DPoP', 'invalid_token', 'the token is not DPoP-bound: send it as Bearer')
      }
      const proofs = ctx.req.headers.dpop
      const proof = Array.isArray(proofs) ? undefined : proofs
      if (!proof) {
        return refuse('DPoP', 'invalid_dpop_proof', 'exactly one DPoP proof header is required')
      }
      const forwardedHost = ctx.get('X-Forwarded-Host')
      try {
        verifyProof(proof, {
          method: ctx.method,
          // The URL the client called: the app server's proxy (test/support/app-server.mjs)
          // says which host it was. Loopback-only server, so the header is trusted.
          url: `http://${forwardedHost || ctx.get('Host')}${ctx.path}`,
          accessToken: token,
          jkt,
          checkNonce: nonceRequired ? (nonce) => nonces.isValid(nonce) : undefined,
        })
      } catch (error) {
        if (!(error instanceof DpopError)) throw error
        if (error.code === 'use_dpop_nonce') {
          stats.api.nonceChallenges += 1
          ctx.set('DPoP-Nonce', nonces.current())
        }
        return refuse('DPoP', error.code, error.message)
      }
    }

    stats.api.ok += 1
    const name = typeof claims.sub === 'string' ? claims.sub : 'there'
    ctx.body = {
      sub: claims.sub,
      scheme,
      messages: [
        { id: 1, text: `Hello, ${name}! This came from a protected API.` },
        { id: 2, text: 'Your access token was checked: signature, iss, aud and exp.' },
      ],
    }
  }
}
