import { decodeJwt } from '../jwt.js'
import { assertClientOptions, type ClientOptions } from '../options.js'
import { createApiFetch } from './api-fetch.js'
import type { Client } from './client.js'
import { createContext } from './context.js'
import { contexts } from './extension.js'
import { createAuthorizeUrl } from './login.js'
import { logout } from './logout.js'
import { handleRedirectCallback, isRedirectCallback } from './redirect-callback.js'
import { createAccessTokenGetter } from './refresh.js'

/**
 * Creates a client for one application at one authorization server. Nothing is fetched or
 * stored until it is used. With `issuer` alone, the endpoints come from its discovery document.
 *
 * @throws {@link AuthError} `invalid_config` naming the option at fault.
 * @example
 * ```ts
 * const auth = createClient({
 *   domain: 'tenant.auth0.com',
 *   clientId: 'abc',
 *   redirectUri: location.origin + '/callback',
 *   audience: 'https://api.example.com',
 * })
 * if (auth.isCallback()) await auth.handleRedirectCallback()
 * else if (!auth.isAuthenticated()) await auth.login()
 * ```
 */
export const createClient = (options: ClientOptions): Client => {
  assertClientOptions(options)
  const context = createContext(options)
  const { tokens } = context
  const getAccessToken = createAccessTokenGetter(context)
  const client: Client = {
    createAuthorizeUrl: (login) => createAuthorizeUrl(context, login),
    login: async (login = {}) =>
      context.navigate(await createAuthorizeUrl(context, login), login.navigate),
    isCallback: (url = location.href) => isRedirectCallback(context, url),
    handleRedirectCallback: (url) => handleRedirectCallback(context, url),
    getAccessToken,
    getTokens: tokens.get,
    getUser: () => {
      const idToken = tokens.get()?.idToken
      return idToken ? decodeJwt(idToken).payload : undefined
    },
    isAuthenticated: () => {
      const current = tokens.get()
      return !!current && (!tokens.isExpired() || !!current.refreshToken)
    },
    subscribe: tokens.subscribe,
    fetch: createApiFetch(context, getAccessToken),
    logout: (logoutOptions) => logout(context, logoutOptions),
  }
  contexts.set(client, context)
  for (const extension of context.extensions) extension.attach?.(context)
  return client
}
