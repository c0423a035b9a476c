/**
 * `latchkey/core`: the same client as `latchkey`'s {@link createClient}, without discovery,
 * `fetch` and `logout`, for apps that count bytes. Its endpoints come from `domain` (Auth0) or
 * from `issuer` with `endpoints.authorization` and `endpoints.token`.
 *
 * @module
 */
import { type CoreClient, createCore } from './core-client.js'
import type { ClientOptions } from './options.js'

export type {
  CoreClient,
  GetAccessTokenOptions,
  LoginOptions,
  RedirectResult,
} from './core-client.js'
export { AuthError, type AuthErrorCode, type AuthErrorDetails, isAuthError } from './errors.js'
export type { JwtClaims } from './jwt.js'
export type { ClientOptions, Endpoints, Navigate } from './options.js'
export { safeReturnTo } from './return-to.js'
export type { ChangeReason, TokenListener, TokenSet } from './token-store.js'
export type { TransactionStorage } from './transaction.js'

/**
 * Creates a client with latchkey's login and token lifecycle: PKCE, `state`, `nonce`, `iss` and
 * ID token checks, single-flight refresh. It has no discovery: give `domain`, or `issuer` with
 * `endpoints.authorization` and `endpoints.token`.
 *
 * @throws {@link AuthError} `invalid_config` naming the option at fault.
 * @example
 * ```ts
 * import { createClient } from 'latchkey/core'
 *
 * const auth = createClient({ domain: 'tenant.auth0.com', clientId: 'abc', redirectUri: location.origin + '/callback' })
 * if (auth.isCallback()) await auth.handleRedirectCallback()
 * ```
 */
export const createClient = (options: ClientOptions): CoreClient => createCore(options).client
