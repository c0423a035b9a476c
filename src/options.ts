import { type AuthorizeParams, assertAuthorizeParams } from './authorize.js'
import type { ClientExtension } from './client/extension.js'
import { fail } from './errors.js'
import { isSecureUrl } from './secure-url.js'
import type { TransactionStorage } from './transaction.js'

/**
 * Authorization server endpoints. Any left out come from `domain` (Auth0's paths) or from
 * discovery, which is skipped when both `authorization` and `token` are given.
 */
export interface Endpoints {
  /** The authorization endpoint, Auth0's `/authorize` (RFC 6749 §3.1). */
  authorization: string
  /** The token endpoint, Auth0's `/oauth/token` (RFC 6749 §3.2). */
  token: string
  /** Where logout sends the browser (OIDC RP-Initiated Logout). */
  endSession?: string
  /** RFC 7009 token revocation, used by logout for the refresh token. */
  revocation?: string
}

/** Navigates the browser (or a native shell's system browser) to a URL. */
export type Navigate = (url: string) => void | Promise<void>

/** Options of {@link createClient}. Leaving one out never turns a check off. */
export interface ClientOptions {
  /** The application's client id at the authorization server. */
  clientId: string
  /**
   * An Auth0 tenant or custom domain: endpoints are `https://{domain}/authorize`,
   * `/oauth/token`, `/v2/logout`, `/oauth/revoke`, the issuer `https://{domain}/`.
   * @example 'tenant.eu.auth0.com'
   */
  domain?: string
  /**
   * Any OpenID Connect server's issuer identifier; endpoints come from its discovery document
   * unless all needed are in `endpoints`. Checked against `iss` in responses and ID tokens.
   * @example 'https://id.example.com'
   */
  issuer?: string
  /** Endpoints that override those from `domain` or discovery (see {@link Endpoints}). */
  endpoints?: Partial<Endpoints>
  /**
   * Where the server sends the browser back; registered with the server, matched exactly.
   * https, http on loopback, or a reverse-DNS custom scheme for native apps (RFC 8252 §7); no
   * fragment (RFC 6749 §3.1.2).
   * @example location.origin + '/callback'
   * @example 'com.example.app:/callback'
   */
  redirectUri: string
  /** The API the access token is for (Auth0's `audience`). */
  audience?: string
  /**
   * The `scope` of every login (RFC 6749 §3.3). `offline_access` asks for a refresh token
   * (OIDC Core §11).
   * @default 'openid profile email'
   */
  scope?: string
  /** Extra `/authorize` parameters for every login (`prompt`, `organization`, …). */
  authorizeParams?: AuthorizeParams
  /**
   * Where login transactions wait during the redirect: one key per client,
   * `latchkey.tx1.{clientId}`, holding its pending logins. A store shared by several tabs (such
   * as `localStorage`) could lose a login started in two tabs at the same moment; sessionStorage
   * belongs to one tab.
   * @default sessionStorage
   */
  storage?: TransactionStorage
  /** The fetch for the authorization server and {@link Client.fetch}. @default globalThis.fetch */
  fetch?: typeof fetch
  /** How to open the authorize and logout URLs. @default (url) => location.assign(url) */
  navigate?: Navigate
  /** Time limit for each request to the authorization server, in ms. @default 10000 */
  timeoutMs?: number
  /** Clock skew allowed for token expiry and ID token times, in seconds. @default 60 */
  leewaySeconds?: number
  /** How long a started login may take before its answer is refused, in seconds. @default 600 */
  transactionTtlSeconds?: number
  /**
   * Origins {@link Client.fetch} may send the access token to. Left out: the page's origin, plus
   * the audience's origin when `audience` is an https URL.
   */
  apiOrigins?: string[]
  /**
   * One session for every tab of this origin: `syncTabs()` from `latchkey/tabs`. Left out, each
   * tab has its own session.
   * @example tabs: syncTabs()
   */
  tabs?: ClientExtension
  /**
   * DPoP-bound tokens (RFC 9449): `dpop()` from `latchkey/dpop`. Left out: Bearer tokens.
   * @example dpop: dpop({ persist: true })
   */
  dpop?: ClientExtension
}

/**
 * Checks the options once, at {@link createClient}, so a mistake shows at start-up with the
 * option's name rather than halfway through a login.
 *
 * @throws {@link AuthError} `invalid_config`.
 */
export const assertClientOptions = (options: ClientOptions): void => {
  const refuse = (option: string, problem: string) =>
    fail('invalid_config', `Option ${option} ${problem}`)
  const secure = 'must be https or loopback http'
  const { clientId, domain, issuer, redirectUri } = options ?? {}
  if (!clientId || typeof clientId !== 'string') refuse('clientId', 'is required')
  if (domain) {
    if (issuer || !/^(https:\/\/)?[a-z\d.-]+(:\d+)?\/?$/i.test(domain))
      refuse('domain', 'must be a host like x.auth0.com, no issuer')
  } else if (!isSecureUrl(issuer)) refuse('issuer', `(or domain) ${secure}`)
  for (const [name, value] of Object.entries(options.endpoints ?? {})) {
    if (value && !isSecureUrl(value)) refuse(`endpoints.${name}`, secure)
  }
  if (
    typeof redirectUri !== 'string' ||
    redirectUri.includes('#') ||
    // A native app's private-use scheme must be reverse DNS, so it names its owner (RFC 8252 §7.1).
    !(isSecureUrl(redirectUri) || /^[a-z][\w+-]*\.[\w+.-]+:/i.test(redirectUri))
  ) {
    refuse('redirectUri', `${secure} or com.example.app:/path, no #`)
  }
  for (const option of ['timeoutMs', 'leewaySeconds', 'transactionTtlSeconds'] as const) {
    const value = options[option]
    if (value !== undefined && !(value >= 0 && value < Infinity))
      refuse(option, 'must be a number >= 0')
  }
  assertAuthorizeParams(options.authorizeParams)
}
