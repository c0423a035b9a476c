/**
 * Counters that tests read to prove what reached the authorization server: how many token
 * requests, which grants succeeded, which refresh tokens were refused, which grants were revoked,
 * how many authorization requests (silent ones apart) and API calls (by scheme) arrived.
 *
 * Several tabs sharing one session (wave 2) are proven with these: "exactly one refresh request
 * and no grant revocation" is `tokenRequestsByGrant.refresh_token === 1` (or `token.refresh_token`
 * for successes) and `grantRevocations.length === 0`.
 *
 * @module
 */
import Provider from 'oidc-provider'
import { applyCors } from './cors.mjs'

/**
 * @typedef {object} Stats
 * @property {number} tokenRequests Every POST to the token endpoint, faked answers included
 *   (proves, for instance, that nothing retries in a loop or that a forged callback never got
 *   as far as a token request).
 * @property {{ authorization_code: number, refresh_token: number }} token Successful token
 *   responses by `grant_type`.
 * @property {{ grantType: string | undefined, error: string }[]} tokenErrors Token requests
 *   oidc-provider refused, in order, with the RFC 6749 §5.2 `error` code.
 * @property {string[]} rejectedRefreshTokens Refresh tokens the token endpoint refused, in order
 *   (a rotated-out one, an expired or revoked one, one bound to another DPoP key); a DPoP nonce
 *   challenge or a malformed proof is a refusal of the proof, not of the token, and is not here.
 * @property {Record<string, number>} tokenRequestsByGrant Token requests oidc-provider answered
 *   (successes and errors, nonce challenges included), by `grant_type`; faked answers (faults)
 *   are not in it (they never reach oidc-provider), `tokenRequests` counts those too.
 * @property {{ grantType: string | undefined, error: string, description: string | undefined,
 *   detail: string | undefined }[]} tokenErrorDetails The same refusals as `tokenErrors`, with
 *   oidc-provider's `error_description` (what the client read, often the generic `grant request
 *   is invalid`) and its server-side `error_detail` (e.g. `refresh token already used`,
 *   `failed jkt verification`, `missing DPoP proof JWT`).
 * @property {number} refreshTokenReuse Refresh requests with a refresh token that had already
 *   been rotated out: oidc-provider then revokes the whole grant (RFC 9700 §4.14.2).
 * @property {{ grantId: string, route: string | undefined }[]} grantRevocations Every grant
 *   oidc-provider revoked (its `grant.revoked` event), in order, with the route that did it:
 *   `token` (refresh-token reuse), `revocation` (RFC 7009 of a refresh token), `end_session`.
 * @property {number} authorization Authorization responses carrying a code.
 * @property {{ requests: number, promptNone: number }} authorize GET/POST requests to the
 *   authorization endpoint (counted on arrival, before faults: a hung one counts), and those of
 *   them with `prompt=none` (silent logins).
 * @property {string[]} authorizationErrors The `error` of every authorization error response
 *   oidc-provider sent (e.g. `login_required` for a silent login without a session), in order.
 * @property {number} revocation Tokens revoked at the revocation endpoint (RFC 7009); a request
 *   for an unknown or foreign token is answered 200 too (RFC 7009 §2.2) but not counted.
 * @property {number} logout Completed logouts at the end-session endpoint.
 * @property {import('./protected-api.mjs').ApiStats} api Protected API requests and answers.
 * @property {() => void} reset Sets every counter back to zero.
 */

/** @returns {Stats} */
export function createStats() {
  /** @type {Stats} */
  const stats = /** @type {Stats} */ ({
    reset() {
      Object.assign(stats, {
        tokenRequests: 0,
        token: { authorization_code: 0, refresh_token: 0 },
        tokenRequestsByGrant: {},
        tokenErrors: [],
        tokenErrorDetails: [],
        rejectedRefreshTokens: [],
        refreshTokenReuse: 0,
        grantRevocations: [],
        authorization: 0,
        authorize: { requests: 0, promptNone: 0 },
        authorizationErrors: [],
        revocation: 0,
        logout: 0,
        api: { ok: 0, unauthorized: 0, bearer: 0, dpop: 0, nonceChallenges: 0 },
      })
    },
  })
  stats.reset()
  return stats
}

/**
 * Feeds the counters from oidc-provider's events.
 *
 * @param {import('oidc-provider').default} provider
 * @param {Stats} stats
 */
export function countProviderEvents(provider, stats) {
  // oidc-provider has no revocation event; a token destroyed while the revocation endpoint is
  // handling the request (its context is in AsyncLocalStorage, `Provider.ctx`) was revoked there.
  const countRevoked = () => {
    if (Provider.ctx?.oidc?.route === 'revocation') stats.revocation += 1
  }
  provider.on('access_token.destroyed', countRevoked)
  provider.on('refresh_token.destroyed', countRevoked)
  /** @param {unknown} grantType */
  const countRequest = (grantType) => {
    const name = String(grantType)
    stats.tokenRequestsByGrant[name] = (stats.tokenRequestsByGrant[name] ?? 0) + 1
  }
  provider.on('grant.success', (/** @type {any} */ ctx) => {
    const grantType = /** @type {keyof Stats['token']} */ (ctx.oidc.params.grant_type)
    stats.token[grantType] = (stats.token[grantType] ?? 0) + 1
    countRequest(grantType)
  })
  provider.on('grant.error', (/** @type {any} */ ctx, /** @type {any} */ error) => {
    // A request may fail before oidc-provider has parsed its parameters (e.g. a bad body).
    const params = ctx.oidc?.params ?? {}
    const code = error.error ?? 'server_error'
    countRequest(params.grant_type)
    stats.tokenErrors.push({ grantType: params.grant_type, error: code })
    stats.tokenErrorDetails.push({
      grantType: params.grant_type,
      error: code,
      description: error.error_description,
      detail: error.error_detail,
    })
    // A nonce challenge is not a refusal of the refresh token: the client retries with it.
    const refused = code !== 'use_dpop_nonce' && code !== 'invalid_dpop_proof'
    if (params.grant_type === 'refresh_token' && typeof params.refresh_token === 'string') {
      if (refused) stats.rejectedRefreshTokens.push(params.refresh_token)
      if (error.error_detail === 'refresh token already used') stats.refreshTokenReuse += 1
    }
  })
  provider.on('grant.revoked', (/** @type {any} */ ctx, /** @type {string} */ grantId) => {
    stats.grantRevocations.push({ grantId, route: ctx?.oidc?.route })
  })
  provider.on('authorization.success', () => {
    stats.authorization += 1
  })
  provider.on('authorization.error', (/** @type {any} */ _ctx, /** @type {any} */ error) => {
    stats.authorizationErrors.push(error?.error ?? 'server_error')
  })
  provider.on('end_session.success', () => {
    stats.logout += 1
  })
}

/**
 * Koa middleware counting token and authorization requests before anything (faults included)
 * can answer them.
 *
 * @param {Stats} stats
 * @param {{ token: string, authorization: string }} routes
 * @returns {(ctx: import('koa').Context, next: () => Promise<void>) => Promise<void>}
 */
export function countRequests(stats, routes) {
  return async function requestCounter(ctx, next) {
    if (ctx.method === 'POST' && ctx.path === routes.token) stats.tokenRequests += 1
    if ((ctx.method === 'GET' || ctx.method === 'POST') && ctx.path === routes.authorization) {
      stats.authorize.requests += 1
      const prompts = new URLSearchParams(ctx.querystring).getAll('prompt')
      if (prompts.some((prompt) => prompt.split(' ').includes('none'))) {
        stats.authorize.promptNone += 1
      }
    }
    return next()
  }
}

/** Where the playground reads the counters (development server only; no secret in them). */
export const STATS_PATH = '/latchkey/stats'

/**
 * Answers `GET /latchkey/stats` with the token-request counters, for the playground's tabs panel:
 * a person can watch several tabs share one session and see that the server got one refresh.
 * CORS is limited to the app's origins, as for every other route.
 *
 * @param {Stats} stats
 * @param {ReadonlySet<string>} allowedOrigins
 * @returns {import('koa').Middleware}
 */
export function statsRoute(stats, allowedOrigins) {
  return async function statsAnswer(ctx, next) {
    if (ctx.method !== 'GET' || ctx.path !== STATS_PATH) return next()
    applyCors(ctx, allowedOrigins)
    ctx.set('Cache-Control', 'no-store')
    ctx.body = {
      tokenRequests: stats.tokenRequests,
      token: stats.token,
      grantRevocations: stats.grantRevocations.length,
    }
  }
}
