/**
 * A tiny protected API (the "resource server" of RFC 6749 §1.1): `GET /api/messages` answers only
 * to a valid JWT access token for its audience, sent as `Authorization: Bearer` (RFC 6750 §2.1).
 *
 * @module
 */
import { answerPreflight, applyCors } from './cors.mjs'
import { JwtError, verifyJwt } from './jwt.mjs'

export const API_PATH = '/api/messages'

/** Realm for the WWW-Authenticate challenge (RFC 6750 §3). */
const REALM = 'latchkey-api'

/** RFC 6750 §2.1: `Bearer` is case-insensitive, then one space, then the b64token. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i

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
 * @param {object} options
 * @param {string} options.issuer
 * @param {string} options.audience
 * @param {import('node:crypto').KeyObject} options.publicKey Verifies access tokens.
 * @param {ReadonlySet<string>} options.allowedOrigins Browser origins allowed to call the API.
 * @param {{ api: { ok: number, unauthorized: number } }} options.stats
 * @returns {(ctx: import('koa').Context, next: () => Promise<void>) => Promise<void>}
 */
export function protectedApi({ issuer, audience, publicKey, allowedOrigins, stats }) {
  return async function messagesEndpoint(ctx, next) {
    if (ctx.path !== API_PATH) return next()
    ctx.set('Cache-Control', 'no-store')

    if (ctx.method === 'OPTIONS') {
      // The Authorization header makes the browser send a preflight first.
      return answerPreflight(ctx, allowedOrigins, { methods: 'GET', headers: 'Authorization' })
    }
    applyCors(ctx, allowedOrigins, ['WWW-Authenticate'])
    if (ctx.method !== 'GET') {
      ctx.set('Allow', 'GET, OPTIONS')
      ctx.status = 405
      return
    }

    /** @param {string} [reason] */
    const refuse = (reason) => {
      // RFC 6750 §3: error_description may not contain '"' or '\' or non-ASCII characters.
      const description = reason?.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, '?')
      stats.api.unauthorized += 1
      ctx.status = 401
      // RFC 6750 §3.1: without credentials the challenge carries no error code.
      ctx.set(
        'WWW-Authenticate',
        description === undefined
          ? `Bearer realm="${REALM}"`
          : `Bearer realm="${REALM}", error="invalid_token", error_description="${description}"`,
      )
      ctx.body = {
        error: description === undefined ? 'unauthorized' : 'invalid_token',
        ...(description === undefined ? {} : { error_description: description }),
      }
    }

    const authorization = ctx.get('Authorization')
    if (!/^Bearer(\s|$)/i.test(authorization)) return refuse()
    const token = BEARER.exec(authorization)?.[1]
    if (token === undefined)
      return refuse('the Authorization header is not Bearer followed by a token')

    let claims
    try {
      claims = verifyAccessToken(token, { issuer, audience, publicKey })
    } catch (error) {
      if (error instanceof JwtError) return refuse(error.message)
      throw error
    }

    stats.api.ok += 1
    const name = typeof claims.sub === 'string' ? claims.sub : 'there'
    ctx.body = {
      sub: claims.sub,
      messages: [
        { id: 1, text: `Hello, ${name}! This came from a protected API.` },
        { id: 2, text: 'Your access token was checked: signature, iss, aud and exp.' },
      ],
    }
  }
}
