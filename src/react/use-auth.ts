import { useMemo, useSyncExternalStore } from 'react'
import type { Client, GetAccessTokenOptions, LoginOptions, LogoutOptions } from '../index.js'
import { useAuthContext } from './auth-context.js'
import { type AuthState, getServerSnapshot } from './auth-store.js'

/** What {@link useAuth} returns: the session's state and the client's actions. */
export interface UseAuthResult extends AuthState {
  /** {@link Client.login}: takes the same options, navigates through the client's `navigate`. */
  login: (options?: LoginOptions) => Promise<void>
  /** {@link Client.logout}: forgets the tokens, then navigates to the end-session endpoint. */
  logout: (options?: LogoutOptions) => Promise<void>
  /** {@link Client.getAccessToken}: a valid access token, refreshed when needed. */
  getAccessToken: (options?: GetAccessTokenOptions) => Promise<string>
  /** {@link Client.fetch}: `fetch` with the access token. */
  fetch: (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>
  /**
   * The `loginWithPopup` given to `AuthProvider`, bound to its client; absent without one. Call
   * it in the click handler, before any `await`, or the browser blocks the popup.
   */
  loginWithPopup?: (options?: { appState?: unknown }) => Promise<unknown>
}

/**
 * The session of the nearest `AuthProvider`'s client, re-rendering on every change (login,
 * refresh, logout, expiry, start-up settled). The returned object keeps its identity while
 * nothing changes, so it is safe in effect dependencies.
 *
 * @throws {@link index!AuthError} `invalid_config` outside an `AuthProvider`.
 * @example
 * ```tsx
 * function Profile() {
 *   const { isLoading, isAuthenticated, user, error, login, logout } = useAuth()
 *   if (isLoading) return <p>Loading…</p>
 *   if (error) return <p>Sign-in failed ({error.code})</p>
 *   if (!isAuthenticated) return <button onClick={() => login()}>Sign in</button>
 *   return <button onClick={() => logout({ returnTo: location.origin })}>Sign out {user?.name}</button>
 * }
 * ```
 */
export const useAuth = (): UseAuthResult => {
  const { client, store, loginWithPopup } = useAuthContext()
  const state = useSyncExternalStore(store.subscribe, store.getSnapshot, getServerSnapshot)
  // Bound once per client: a new function each render would make every consumer's effects rerun.
  const actions = useMemo(
    () => ({
      login: (options?: LoginOptions) => client.login(options),
      logout: (options?: LogoutOptions) => client.logout(options),
      getAccessToken: (options?: GetAccessTokenOptions) => client.getAccessToken(options),
      fetch: (input: RequestInfo | URL, init?: RequestInit) => client.fetch(input, init),
      ...(loginWithPopup && {
        loginWithPopup: (options?: { appState?: unknown }) => loginWithPopup(client, options),
      }),
    }),
    [client, loginWithPopup],
  )
  return useMemo(() => ({ ...state, ...actions }), [state, actions])
}
