/**
 * oidc-provider configuration that behaves like an Auth0 tenant with one single-page application
 * and one API: Auth0's paths, a public client with PKCE (S256) required, `audience` for JWT access
 * tokens, refresh-token rotation, implicit first-party consent.
 *
 * @module
 */
import { readFileSync } from 'node:fs'
import { errors } from 'oidc-provider'
import { findAccount } from './accounts.mjs'
import { originsOf } from './cors.mjs'
import { errorPage, logoutPage, signedOutPage } from './pages.mjs'

/**
 * Development-only RS256 signing key and cookie-signing keys. Fixed, so that every run publishes
 * the same JWKS (`kid`) and oidc-provider does not fall back to its own throwaway keys. They are
 * public: never use them anywhere but on localhost.
 */
export const DEV_KEYS = JSON.parse(
  readFileSync(new URL('./dev-keys.json', import.meta.url), 'utf8'),
)

/** Auth0's endpoint paths (Auth0 Authentication API). */
export const ROUTES = Object.freeze({
  authorization: '/authorize',
  token: '/oauth/token',
  end_session: '/v2/logout',
  jwks: '/.well-known/jwks.json',
  revocation: '/oauth/revoke',
  userinfo: '/userinfo',
})

/** Scopes of the demo API, besides the OpenID Connect ones. */
export const API_SCOPES = Object.freeze(['read:messages'])

/** OpenID Connect scopes and the claims each one releases (OIDC Core §5.4). */
const CLAIMS = {
  openid: ['sub'],
  profile: ['name', 'nickname'],
  email: ['email', 'email_verified'],
}
const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access']

/**
 * @typedef {object} ProviderSettings
 * @property {string} clientId
 * @property {readonly string[]} redirectUris
 * @property {readonly string[]} postLogoutRedirectUris
 * @property {string} audience Identifier of the API (Auth0 `audience`, RFC 8707 resource).
 * @property {number} accessTokenTtl Seconds.
 * @property {number} idTokenTtl Seconds.
 * @property {number} refreshTokenTtl Seconds; absolute, rotation does not extend it.
 * @property {Buffer} dpopNonceSecret 32 bytes; oidc-provider derives its DPoP nonces from it.
 * @property {{ readonly dpopNonce: boolean }} switches Read on every request, so a test can flip
 *   them while the server runs.
 */

/**
 * The post-logout redirect URIs to register when none are given: every redirect URI and its
 * origin with and without the trailing slash, because oidc-provider compares them exactly and
 * apps commonly pass `location.origin` as Auth0's `returnTo`.
 *
 * @param {readonly string[]} redirectUris
 * @returns {string[]}
 */
export function defaultPostLogoutRedirectUris(redirectUris) {
  const uris = new Set()
  for (const uri of redirectUris) {
    const { origin } = new URL(uri)
    if (origin !== 'null') uris.add(origin).add(`${origin}/`)
    uris.add(uri)
  }
  return [...uris]
}

/**
 * Auth0 skips the consent screen for first-party applications; this `loadExistingGrant` does the
 * same by granting whatever the request asks for (scopes, claims, the API's scopes) to the signed-in
 * user. Without it oidc-provider would show a consent page on every new scope.
 *
 * @param {any} ctx oidc-provider's Koa context.
 */
async function grantFirstParty(ctx) {
  const { oidc } = ctx
  keepOfflineAccess(ctx)
  const { Grant } = oidc.provider
  const grantId = oidc.result?.consent?.grantId ?? oidc.session.grantIdFor(oidc.client.clientId)
  const grant =
    (grantId && (await Grant.find(grantId))) ||
    new Grant({ accountId: oidc.session.accountId, clientId: oidc.client.clientId })
  grant.addOIDCScope([...oidc.requestParamOIDCScopes].join(' '))
  grant.addOIDCClaims([...oidc.requestParamClaims])
  for (const [indicator, resourceServer] of Object.entries(oidc.resourceServers)) {
    const scopes = [...oidc.requestParamScopes].filter((scope) => resourceServer.scopes.has(scope))
    grant.addResourceScope(indicator, scopes.join(' '))
  }
  await grant.save()
  return grant
}

/**
 * Auth0 issues a refresh token whenever the authorization request asked for `offline_access`
 * (and the application may use refresh tokens); oidc-provider drops the scope unless `prompt`
 * includes `consent` (OIDC Core §11). auth0-dialect.mjs adds `consent` to interactive requests,
 * but `prompt=none` must stand alone, so for a silent request the scope is put back here, after
 * oidc-provider's scope check and before the code is made (`loadExistingGrant` runs in between).
 * The request as sent is read from the query: `ctx.oidc.params.scope` no longer has it.
 *
 * @param {any} ctx oidc-provider's Koa context.
 */
function keepOfflineAccess(ctx) {
  const { oidc } = ctx
  if (oidc.route !== 'authorization' || !oidc.client?.grantTypeAllowed('refresh_token')) return
  const asked = ctx.method === 'POST' ? ctx.request.body?.scope : ctx.query.scope
  if (typeof asked !== 'string' || !asked.split(' ').includes('offline_access')) return
  const scopes = oidc.params.scope?.split(' ') ?? []
  if (!scopes.includes('offline_access'))
    oidc.params.scope = [...scopes, 'offline_access'].join(' ')
}

/**
 * Builds the oidc-provider configuration.
 *
 * @param {ProviderSettings} settings
 * @returns {import('oidc-provider').Configuration}
 */
export function createProviderConfiguration(settings) {
  const { clientId, redirectUris, postLogoutRedirectUris, audience } = settings
  const { accessTokenTtl, idTokenTtl, refreshTokenTtl, dpopNonceSecret, switches } = settings

  /**
   * The API as a resource server (RFC 8707). Its scopes include the OpenID Connect ones so that
   * the access token's `scope` and the token response's `scope` list them, as Auth0's do;
   * oidc-provider would otherwise answer `scope: ""` for an access token meant for an API.
   */
  const resourceServer = {
    audience,
    scope: [...OIDC_SCOPES, ...API_SCOPES].join(' '),
    accessTokenFormat: 'jwt',
    accessTokenTTL: accessTokenTtl,
    jwt: { sign: { alg: 'RS256' } },
  }

  return {
    clients: [
      {
        client_id: clientId,
        client_name: 'latchkey playground',
        application_type: 'web',
        // A public client: a browser app cannot keep a secret (RFC 6749 §2.1).
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: [...redirectUris],
        post_logout_redirect_uris: [...postLogoutRedirectUris],
      },
    ],
    clientAuthMethods: ['none'],
    responseTypes: ['code'],
    routes: ROUTES,
    scopes: OIDC_SCOPES,
    claims: CLAIMS,
    // Auth0 puts the profile and email claims in the ID token of a code flow; oidc-provider by
    // default only serves them from /userinfo when an access token is issued too.
    conformIdTokenClaims: false,
    // Auth0's name for the RFC 8707 `resource` parameter.
    extraParams: ['audience'],
    jwks: { keys: DEV_KEYS.keys },
    cookies: { keys: DEV_KEYS.cookieKeys },
    findAccount,
    loadExistingGrant: grantFirstParty,
    // RFC 7636 with S256 only (oidc-provider never offers `plain`); RFC 9700 §2.1.1.
    pkce: { required: () => true },
    // A new refresh token on every use, the old one dies: RFC 9700 §4.14.2 for public clients.
    // `true`, not a function: oidc-provider's default rotates DPoP-bound refresh tokens of public
    // clients only after 70 % of their life, and wave 2's tests count on rotation for them too.
    rotateRefreshToken: true,
    /**
     * Token, revocation and userinfo responses are readable only by the origins of the
     * client's own redirect URIs.
     *
     * @param {unknown} _ctx
     * @param {string} origin
     * @param {{ redirectUris: string[] }} client
     */
    clientBasedCORS: (_ctx, origin, client) => originsOf(client.redirectUris).has(origin),
    ttl: {
      AccessToken: accessTokenTtl,
      AuthorizationCode: 60,
      IdToken: idTokenTtl,
      /**
       * Rotated refresh tokens inherit what is left of the first one's lifetime, like Auth0's
       * absolute expiration: rotation never keeps a session alive forever.
       *
       * @param {any} ctx
       */
      RefreshToken: (ctx) =>
        ctx?.oidc?.entities.RotatedRefreshToken?.remainingTTL ?? refreshTokenTtl,
      Grant: Math.max(refreshTokenTtl, accessTokenTtl, idTokenTtl),
      Session: 24 * 60 * 60,
      Interaction: 60 * 60,
    },
    interactions: {
      /** @param {unknown} _ctx @param {{ uid: string }} interaction */
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
    },
    features: {
      devInteractions: { enabled: false },
      // RFC 9449. A client without DPoP keeps getting Bearer tokens; one that sends a proof to
      // the token endpoint gets DPoP-bound ones (`token_type: DPoP`, `cnf.jkt`), and `dpop_jkt`
      // on /authorize binds the code to that key. With the nonce secret set, oidc-provider adds a
      // `DPoP-Nonce` header to DPoP token responses and exposes it through CORS; the switch makes
      // a proof without a (valid) nonce get 400 `use_dpop_nonce`.
      dPoP: {
        enabled: true,
        nonceSecret: dpopNonceSecret,
        requireNonce: () => switches.dpopNonce,
      },
      pushedAuthorizationRequests: { enabled: false },
      revocation: {
        enabled: true,
        // RFC 7009 §2.1: a client may revoke only its own tokens.
        /** @param {unknown} _ctx @param {{ clientId: string }} client @param {{ clientId: string }} token */
        allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
      },
      userinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        /** @param {any} ctx @param {string} form */
        logoutSource: async (ctx, form) => {
          ctx.type = 'html'
          ctx.body = logoutPage(form)
        },
        /** @param {any} ctx */
        postLogoutSuccessSource: async (ctx) => {
          ctx.type = 'html'
          ctx.body = signedOutPage()
        },
      },
      resourceIndicators: {
        enabled: true,
        /**
         * The authorization request's `audience` becomes its resource indicator. At the token
         * endpoint oidc-provider passes the granted resources as `oneOf`.
         *
         * @param {any} ctx
         * @param {unknown} _client
         * @param {string | string[]} [oneOf]
         */
        defaultResource: async (ctx, _client, oneOf) => oneOf ?? ctx.oidc.params.audience,
        // Without this, a token request for a grant that includes `openid` would get an opaque
        // /userinfo token instead of the API's JWT; Auth0 always issues the one for `audience`.
        useGrantedResource: async () => true,
        /** @param {unknown} _ctx @param {string} indicator */
        getResourceServerInfo: async (_ctx, indicator) => {
          if (indicator !== audience)
            throw new errors.InvalidTarget(`unknown audience ${indicator}`)
          return resourceServer
        },
      },
    },
    /** @param {any} ctx @param {Record<string, string>} out */
    renderError: async (ctx, out) => {
      ctx.type = 'html'
      ctx.body = errorPage(out)
    },
  }
}
