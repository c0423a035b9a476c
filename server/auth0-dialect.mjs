/**
 * Rewrites the two Auth0 request habits oidc-provider does not share, before oidc-provider sees
 * the request, so that an app written for Auth0 works unchanged against the local server.
 *
 * 1. `offline_access` without `prompt=consent`. OIDC Core §11 says the OP must ignore
 *    `offline_access` unless `prompt` contains `consent`, and oidc-provider does; Auth0 issues a
 *    refresh token anyway. Adding `consent` to `prompt` keeps the scope; the consent prompt is then
 *    resolved without a page (interactions.mjs), as Auth0 does for first-party applications.
 *    `prompt=none` is left alone (`none` must stand alone, OIDC Core §3.1.2.1), so a silent
 *    request gets no refresh token.
 * 2. `/v2/logout?client_id=…&returnTo=…`. oidc-provider's end-session endpoint takes the
 *    standard `post_logout_redirect_uri` (OpenID Connect RP-Initiated Logout §2), so `returnTo`
 *    is renamed. Without `client_id` Auth0 checks `returnTo` against tenant-wide allowed URLs;
 *    here the single client stands in for the tenant.
 *
 * Only GET requests are rewritten: that is how browsers arrive at both endpoints.
 *
 * @module
 */

/**
 * @param {object} options
 * @param {string} options.authorizationPath e.g. `/authorize`
 * @param {string} options.endSessionPath e.g. `/v2/logout`
 * @param {string} options.clientId The client that stands in for the tenant on logout.
 * @returns {(ctx: import('koa').Context, next: () => Promise<void>) => Promise<void>}
 */
export function auth0Dialect({ authorizationPath, endSessionPath, clientId }) {
  return async function auth0DialectRewrite(ctx, next) {
    if (ctx.method === 'GET' && ctx.path === authorizationPath) {
      const query = new URLSearchParams(ctx.querystring)
      if (keepOfflineAccess(query)) ctx.querystring = query.toString()
    } else if (ctx.method === 'GET' && ctx.path === endSessionPath) {
      const query = new URLSearchParams(ctx.querystring)
      if (mapReturnTo(query, clientId)) ctx.querystring = query.toString()
    }
    return next()
  }
}

/**
 * @param {URLSearchParams} query
 * @returns {boolean} Whether the query changed.
 */
function keepOfflineAccess(query) {
  const scopes = query.getAll('scope')
  const prompts = query.getAll('prompt')
  // Duplicated parameters are oidc-provider's to reject (RFC 6749 §3.1); leave them untouched.
  if (scopes.length !== 1 || prompts.length > 1) return false
  if (!scopes[0]?.split(' ').includes('offline_access')) return false
  const prompt = prompts[0]?.split(' ').filter(Boolean) ?? []
  if (prompt.includes('consent') || prompt.includes('none')) return false
  query.set('prompt', [...prompt, 'consent'].join(' '))
  return true
}

/**
 * @param {URLSearchParams} query
 * @param {string} clientId
 * @returns {boolean} Whether the query changed.
 */
function mapReturnTo(query, clientId) {
  const returnTo = query.getAll('returnTo')
  if (returnTo.length !== 1 || query.has('post_logout_redirect_uri')) return false
  query.delete('returnTo')
  query.set('post_logout_redirect_uri', /** @type {string} */ (returnTo[0]))
  if (!query.has('client_id') && !query.has('id_token_hint')) query.set('client_id', clientId)
  return true
}
