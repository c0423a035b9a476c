/**
 * Counters that tests read to prove what reached the authorization server: how many token
 * requests, which grants succeeded, which refresh tokens were refused.
 *
 * @module
 */
import Provider from 'oidc-provider'

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
 *   (a rotated-out one, an expired or revoked one).
 * @property {number} authorization Authorization responses carrying a code.
 * @property {number} revocation Tokens revoked at the revocation endpoint (RFC 7009); a request
 *   for an unknown or foreign token is answered 200 too (RFC 7009 §2.2) but not counted.
 * @property {number} logout Completed logouts at the end-session endpoint.
 * @property {{ ok: number, unauthorized: number }} api Protected API answers.
 * @property {() => void} reset Sets every counter back to zero.
 */

/** @returns {Stats} */
export function createStats() {
  /** @type {Stats} */
  const stats = {
    tokenRequests: 0,
    token: { authorization_code: 0, refresh_token: 0 },
    tokenErrors: [],
    rejectedRefreshTokens: [],
    authorization: 0,
    revocation: 0,
    logout: 0,
    api: { ok: 0, unauthorized: 0 },
    reset() {
      stats.tokenRequests = 0
      stats.token = { authorization_code: 0, refresh_token: 0 }
      stats.tokenErrors = []
      stats.rejectedRefreshTokens = []
      stats.authorization = 0
      stats.revocation = 0
      stats.logout = 0
      stats.api = { ok: 0, unauthorized: 0 }
    },
  }
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
  provider.on('grant.success', (/** @type {any} */ ctx) => {
    const grantType = /** @type {keyof Stats['token']} */ (ctx.oidc.params.grant_type)
    stats.token[grantType] = (stats.token[grantType] ?? 0) + 1
  })
  provider.on('grant.error', (/** @type {any} */ ctx, /** @type {any} */ error) => {
    // A request may fail before oidc-provider has parsed its parameters (e.g. a bad body).
    const params = ctx.oidc?.params ?? {}
    stats.tokenErrors.push({ grantType: params.grant_type, error: error.error ?? 'server_error' })
    if (params.grant_type === 'refresh_token' && typeof params.refresh_token === 'string') {
      stats.rejectedRefreshTokens.push(params.refresh_token)
    }
  })
  provider.on('authorization.success', () => {
    stats.authorization += 1
  })
  provider.on('end_session.success', () => {
    stats.logout += 1
  })
}

/**
 * Koa middleware counting token requests before anything (faults included) can answer them.
 *
 * @param {Stats} stats
 * @param {string} tokenPath
 * @returns {(ctx: import('koa').Context, next: () => Promise<void>) => Promise<void>}
 */
export function countTokenRequests(stats, tokenPath) {
  return async function tokenRequestCounter(ctx, next) {
    if (ctx.method === 'POST' && ctx.path === tokenPath) stats.tokenRequests += 1
    return next()
  }
}
