/**
 * The local authorization server for the playground and the end-to-end tests: oidc-provider
 * dressed as an Auth0 tenant (see provider-config.mjs), plus a protected demo API, counters and
 * fault injection for tests. Development and tests only.
 *
 * @example
 * const server = await startAuthServer({ port: 0, redirectUris: ['http://localhost:5173/callback'] })
 * // … server.issuer, server.stats, server.faults.nextTokenResponse('reset') …
 * await server.close()
 *
 * @module
 */
import { createPublicKey, randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import Provider from 'oidc-provider'
import { DEMO_USERS } from './accounts.mjs'
import { auth0Dialect } from './auth0-dialect.mjs'
import { originsOf } from './cors.mjs'
import { createNonceIssuer } from './dpop.mjs'
import { createFaultInjector } from './faults.mjs'
import { interactions } from './interactions.mjs'
import { API_PATH, protectedApi } from './protected-api.mjs'
import {
  createProviderConfiguration,
  DEV_KEYS,
  defaultPostLogoutRedirectUris,
  ROUTES,
} from './provider-config.mjs'
import { countProviderEvents, countRequests, createStats, statsRoute } from './stats.mjs'

export { API_PATH, verifyAccessToken } from './protected-api.mjs'
export { API_SCOPES, createProviderConfiguration, DEV_KEYS, ROUTES } from './provider-config.mjs'

/**
 * @typedef {object} AuthServerOptions
 * @property {number} [port] Default 4000; 0 picks a free port (tests).
 * @property {string} [clientId] Default `latchkey-playground`.
 * @property {string[]} [redirectUris] Default `http://localhost:5173/` and `…/callback`.
 * @property {string[]} [postLogoutRedirectUris] Default: each redirect URI and its origin, with
 *   and without a trailing slash.
 * @property {string} [audience] The API identifier; default `https://api.latchkey.test`.
 * @property {number} [accessTokenTtl] Seconds, default 3600.
 * @property {number} [idTokenTtl] Seconds, default 3600.
 * @property {number} [refreshTokenTtl] Seconds, default 30 days; absolute (rotation keeps it).
 * @property {boolean} [quiet] No request log. Server errors are printed regardless.
 * @property {boolean} [dpopNonce] Default false. Require DPoP nonces (RFC 9449 §8, §9): a proof
 *   without a valid server nonce gets `use_dpop_nonce` and a `DPoP-Nonce` header, at the token
 *   endpoint (400, oidc-provider's nonces) and at the protected API (401, the API's own nonces).
 *   DPoP itself is always on: clients that send no proof keep getting Bearer tokens.
 *   Switchable while running: `server.settings.dpopNonce = true`.
 * @property {boolean} [coop] Default false. Adds `Cross-Origin-Opener-Policy: same-origin` to the
 *   authorization endpoint (`/authorize`, `/authorize/:uid`) and the sign-in pages
 *   (`/interaction/…`), so a popup's `window.opener` is severed (the popup cannot talk back to
 *   the app until it is back on the app's origin). Switchable while running:
 *   `server.settings.coop = true`.
 */

/**
 * Switches a test may flip while the server runs; each is read on every request. Assigning
 * anything but a boolean throws.
 *
 * @typedef {object} AuthServerSettings
 * @property {boolean} dpopNonce See {@link AuthServerOptions.dpopNonce}.
 * @property {boolean} coop See {@link AuthServerOptions.coop}.
 */

/**
 * @typedef {object} AuthServer
 * @property {string} issuer `http://localhost:<port>`, no trailing slash.
 * @property {number} port
 * @property {string} clientId
 * @property {string} audience
 * @property {readonly import('./accounts.mjs').DemoUser[]} users Demo users and their passwords.
 * @property {import('./stats.mjs').Stats} stats
 * @property {AuthServerSettings} settings Run-time switches (`dpopNonce`, `coop`).
 * @property {import('./faults.mjs').Faults} faults
 * @property {import('oidc-provider').default} provider The oidc-provider instance, for tests that
 *   need its events or models.
 * @property {() => Promise<void>} close Stops listening and drops open connections (hung ones too).
 */

/**
 * @param {unknown} value
 * @param {string} name
 * @param {number} min
 */
function integerOption(value, name, min) {
  if (!Number.isInteger(value) || /** @type {number} */ (value) < min) {
    throw new TypeError(`startAuthServer: ${name} must be an integer ≥ ${min}, got ${value}`)
  }
  return /** @type {number} */ (value)
}

/**
 * @param {Record<string, unknown>} initial
 * @returns {AuthServerSettings}
 */
function createSettings(initial) {
  /** @type {Record<string, boolean>} */
  const values = {}
  const settings = {}
  for (const [name, value] of Object.entries(initial)) {
    const check = /** @param {unknown} next */ (next) => {
      if (typeof next !== 'boolean') {
        throw new TypeError(`startAuthServer: ${name} must be a boolean, got ${String(next)}`)
      }
      return next
    }
    values[name] = check(value)
    Object.defineProperty(settings, name, {
      enumerable: true,
      get: () => values[name],
      set: (next) => {
        values[name] = check(next)
      },
    })
  }
  return /** @type {AuthServerSettings} */ (Object.seal(settings))
}

/**
 * Adds `Cross-Origin-Opener-Policy: same-origin` to the authorization endpoint and the sign-in
 * pages while `settings.coop` is on.
 *
 * @param {AuthServerSettings} settings
 * @returns {(ctx: import('koa').Context, next: () => Promise<void>) => Promise<void>}
 */
function crossOriginOpenerPolicy(settings) {
  const { authorization } = ROUTES
  return async function coopHeader(ctx, next) {
    const applies =
      ctx.path === authorization ||
      ctx.path.startsWith(`${authorization}/`) ||
      ctx.path.startsWith('/interaction/')
    // Before next(): the hang fault never lets a response out, the header is there anyway.
    if (settings.coop && applies) ctx.set('Cross-Origin-Opener-Policy', 'same-origin')
    return next()
  }
}

/**
 * oidc-provider's CORS for the revocation endpoint exposes only `WWW-Authenticate`; a DPoP client
 * reads `DPoP-Nonce` from every answer of the server, so it is exposed there too. (Preflights of
 * the token and revocation endpoints already allow any request header, `DPoP` included.)
 *
 * @param {string} revocationPath
 * @returns {(ctx: import('koa').Context, next: () => Promise<void>) => Promise<void>}
 */
function exposeDpopNonce(revocationPath) {
  return async function revocationExposeHeaders(ctx, next) {
    await next()
    if (ctx.path !== revocationPath || ctx.method === 'OPTIONS') return
    if (!ctx.response.get('Access-Control-Allow-Origin')) return
    const exposed = ctx.response
      .get('Access-Control-Expose-Headers')
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean)
    for (const name of ['WWW-Authenticate', 'DPoP-Nonce']) {
      if (!exposed.some((header) => header.toLowerCase() === name.toLowerCase())) exposed.push(name)
    }
    ctx.set('Access-Control-Expose-Headers', exposed.join(', '))
  }
}

/**
 * Hands every nonce oidc-provider sends (`DPoP-Nonce` on token responses) to the API's nonces,
 * so that one nonce per origin works at both (see createNonceIssuer in dpop.mjs).
 *
 * @param {ReturnType<typeof createNonceIssuer>} nonces
 * @param {string} apiPath
 * @returns {(ctx: import('koa').Context, next: () => Promise<void>) => Promise<void>}
 */
function shareDpopNonces(nonces, apiPath) {
  return async function adoptProviderNonce(ctx, next) {
    await next()
    const nonce = ctx.response.get('DPoP-Nonce')
    if (nonce && ctx.path !== apiPath) nonces.adopt(nonce)
  }
}

/**
 * @param {import('node:http').Server} server
 * @param {number} port
 * @returns {Promise<number>} The port actually bound.
 */
function listen(server, port) {
  return new Promise((resolve, reject) => {
    server.once('error', (error) => {
      const inUse = /** @type {NodeJS.ErrnoException} */ (error).code === 'EADDRINUSE'
      reject(inUse ? new Error(`port ${port} is in use: pass another port, or 0 for any`) : error)
    })
    // Loopback only: the signing key is public, nothing outside this machine should trust it.
    server.listen(port, '127.0.0.1', () => {
      resolve(/** @type {import('node:net').AddressInfo} */ (server.address()).port)
    })
  })
}

/**
 * Logs one line per request: method, path (never the query, which may hold a code or a token),
 * status and duration.
 *
 * @param {import('koa').Context} ctx
 * @param {() => Promise<void>} next
 */
async function logRequest(ctx, next) {
  const start = performance.now()
  try {
    await next()
  } finally {
    const ms = Math.round(performance.now() - start)
    console.log(`auth-server ${ctx.method} ${ctx.path} ${ctx.status} ${ms}ms`)
  }
}

/**
 * Starts the local authorization server.
 *
 * @param {AuthServerOptions} [options]
 * @returns {Promise<AuthServer>}
 */
export async function startAuthServer(options = {}) {
  const clientId = options.clientId ?? 'latchkey-playground'
  const redirectUris = options.redirectUris ?? [
    'http://localhost:5173/',
    'http://localhost:5173/callback',
  ]
  if (!Array.isArray(redirectUris) || redirectUris.length === 0) {
    throw new TypeError('startAuthServer: redirectUris must be a non-empty array of URLs')
  }
  const switches = createSettings({
    dpopNonce: options.dpopNonce ?? false,
    coop: options.coop ?? false,
  })
  const settings = {
    clientId,
    redirectUris,
    postLogoutRedirectUris:
      options.postLogoutRedirectUris ?? defaultPostLogoutRedirectUris(redirectUris),
    audience: options.audience ?? 'https://api.latchkey.test',
    accessTokenTtl: integerOption(options.accessTokenTtl ?? 3600, 'accessTokenTtl', 1),
    idTokenTtl: integerOption(options.idTokenTtl ?? 3600, 'idTokenTtl', 1),
    refreshTokenTtl: integerOption(options.refreshTokenTtl ?? 30 * 24 * 3600, 'refreshTokenTtl', 1),
    // A new secret per server: nonces of one run mean nothing to the next.
    dpopNonceSecret: randomBytes(32),
    switches,
  }
  const allowedOrigins = originsOf(redirectUris)

  const server = createServer()
  // Listen before building the provider: with port 0 the issuer is known only once bound.
  const port = await listen(server, integerOption(options.port ?? 4000, 'port', 0))
  const issuer = `http://localhost:${port}`

  const provider = new Provider(issuer, createProviderConfiguration(settings))
  const stats = createStats()
  const injector = createFaultInjector({
    tokenPath: ROUTES.token,
    authorizationPath: ROUTES.authorization,
    allowedOrigins,
  })
  const publicKey = createPublicKey({ key: DEV_KEYS.keys[0], format: 'jwk' })

  countProviderEvents(provider, stats)
  provider.on('server_error', (_ctx, error) => console.error('auth-server error:', error))
  // provider.use() runs these, in this order, before oidc-provider's own routes.
  if (!options.quiet) provider.use(logRequest)
  provider.use(countRequests(stats, ROUTES))
  provider.use(statsRoute(stats, allowedOrigins))
  provider.use(crossOriginOpenerPolicy(switches))
  provider.use(exposeDpopNonce(ROUTES.revocation))
  const apiNonces = createNonceIssuer()
  provider.use(shareDpopNonces(apiNonces, API_PATH))
  provider.use(injector.middleware)
  provider.use(
    auth0Dialect({
      authorizationPath: ROUTES.authorization,
      endSessionPath: ROUTES.end_session,
      clientId,
    }),
  )
  provider.use(interactions(provider))
  provider.use(
    protectedApi({
      issuer,
      audience: settings.audience,
      publicKey,
      allowedOrigins,
      stats,
      requireNonce: () => switches.dpopNonce,
      nonces: apiNonces,
    }),
  )
  server.on('request', provider.callback())

  let closed
  return {
    issuer,
    port,
    clientId,
    audience: settings.audience,
    users: DEMO_USERS,
    stats,
    settings: switches,
    faults: injector.faults,
    provider,
    close() {
      closed ??= new Promise((resolve, reject) => {
        injector.close()
        server.close((error) => (error ? reject(error) : resolve(undefined)))
        server.closeAllConnections()
      })
      return closed
    },
  }
}
