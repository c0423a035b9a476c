import { createElement, Fragment, type ReactElement, type ReactNode, useEffect } from 'react'
import type { Client } from '../index.js'
import { useAuthContext } from './auth-context.js'
import type { AuthStore } from './auth-store.js'
import { toAuthError } from './to-auth-error.js'
import { useAuth } from './use-auth.js'

/** Props of {@link RequireAuth}. */
export interface RequireAuthProps {
  /** Shown only to a signed-in visitor. */
  children?: ReactNode
  /** Shown while loading, while the login starts, and after a failed start-up. Default: nothing. */
  fallback?: ReactNode
}

/**
 * Clients whose login `RequireAuth` has started and that has not finished starting: StrictMode's
 * double effects and two guards on one page must not start two logins (two transactions, and
 * the page navigating twice).
 */
const loginsStarting = new WeakSet<Client>()

const startLoginOnce = (client: Client, store: AuthStore): void => {
  if (loginsStarting.has(client)) return
  loginsStarting.add(client)
  const { pathname, search, hash } = location
  client
    .login({ appState: { returnTo: pathname + search + hash } })
    .catch((error: unknown) => store.settle(toAuthError(error, 'navigate')))
    .finally(() => loginsStarting.delete(client))
}

/**
 * Renders its children for a signed-in visitor. For a signed-out one, once loading is over, it
 * starts one login that returns to the current path (`appState.returnTo`), and shows `fallback`.
 * After a failed start-up (`useAuth().error`) it starts none, so a server that refuses at once
 * cannot send the browser round in a loop: show the error instead. Nor after a logout on this
 * page, which would otherwise race the logout's own navigation.
 *
 * @example
 * ```tsx
 * <Route path="/inbox" element={<RequireAuth fallback={<p>Signing in…</p>}><Inbox /></RequireAuth>} />
 * ```
 */
export const RequireAuth = ({ children, fallback = null }: RequireAuthProps): ReactElement => {
  const { client, store } = useAuthContext()
  const { isLoading, isAuthenticated, error } = useAuth()
  // Not after a logout on this page either: logout is on its way to the end-session endpoint,
  // and a login started now would race it and win, signing the user straight back in.
  const mustLogin = !isLoading && !isAuthenticated && !error && !store.loggedOut()
  useEffect(() => {
    if (mustLogin) startLoginOnce(client, store)
  }, [mustLogin, client, store])
  return createElement(Fragment, null, !isLoading && isAuthenticated ? children : fallback)
}
