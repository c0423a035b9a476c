/**
 * CORS for the responses this server writes itself (the protected API and faked token
 * responses). oidc-provider handles CORS for its own endpoints through `clientBasedCORS`.
 *
 * @module
 */

/**
 * The origins a browser app with these redirect URIs runs on: the only origins allowed to read
 * token, revocation, userinfo and API responses. Custom-scheme URIs (native apps, RFC 8252 §7.1)
 * have an opaque origin and never make CORS requests, so they are skipped.
 *
 * @param {readonly string[]} redirectUris
 * @returns {Set<string>}
 */
export function originsOf(redirectUris) {
  const origins = new Set()
  for (const uri of redirectUris) {
    const { origin } = new URL(uri)
    if (origin !== 'null') origins.add(origin)
  }
  return origins
}

/**
 * Adds the CORS response headers when the request's `Origin` is allowed, and nothing otherwise,
 * so the browser keeps the response from the page (Fetch standard, CORS protocol). Credentials
 * are never allowed: the app sends tokens in the Authorization header, not cookies.
 *
 * @param {import('koa').Context} ctx
 * @param {ReadonlySet<string>} allowedOrigins
 * @param {readonly string[]} [exposeHeaders] Response headers the page may read beyond the
 *   CORS-safelisted ones (`WWW-Authenticate`, `Retry-After`, …).
 * @returns {boolean} Whether the origin is allowed.
 */
export function applyCors(ctx, allowedOrigins, exposeHeaders = []) {
  ctx.vary('Origin')
  const origin = ctx.get('Origin')
  if (!allowedOrigins.has(origin)) return false
  ctx.set('Access-Control-Allow-Origin', origin)
  if (exposeHeaders.length > 0) ctx.set('Access-Control-Expose-Headers', exposeHeaders.join(', '))
  return true
}

/**
 * Answers a CORS preflight (an OPTIONS request with `Access-Control-Request-Method`) for an
 * allowed origin; a preflight from another origin gets no CORS headers and therefore fails.
 *
 * @param {import('koa').Context} ctx
 * @param {ReadonlySet<string>} allowedOrigins
 * @param {object} allow
 * @param {string} allow.methods e.g. `GET`
 * @param {string} allow.headers e.g. `Authorization`
 */
export function answerPreflight(ctx, allowedOrigins, { methods, headers }) {
  if (applyCors(ctx, allowedOrigins)) {
    ctx.set('Access-Control-Allow-Methods', methods)
    ctx.set('Access-Control-Allow-Headers', headers)
    ctx.set('Access-Control-Max-Age', '600')
  }
  ctx.status = 204
}
