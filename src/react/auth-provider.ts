import { createElement, type ReactElement, type ReactNode, useEffect, useMemo } from 'react'
import type { Client } from '../index.js'
import { AuthContext } from './auth-context.js'
import { authStoreOf } from './auth-store.js'
import { startUpOnce } from './start-up.js'

/** Props of {@link AuthProvider}. */
export interface AuthProviderProps {
  /** The app's client, made once with `createClient`, outside any component. */
  client: Client
  /**
   * Called when the page is not a callback: brings back a session without a redirect. Pass
   * `restoreSession` from `latchkey/silent`; typed by shape so this package never imports an
   * add-on the app did not choose. Its `false` ("no session") is not an error.
   */
  restoreSession?: ((client: Client) => Promise<boolean>) | undefined
  /**
   * Makes `useAuth().loginWithPopup` available. Pass `loginWithPopup` from `latchkey/popup`.
   */
  loginWithPopup?:
    | ((client: Client, options?: { appState?: unknown }) => Promise<unknown>)
    | undefined
  /**
   * Called once after a callback was handled, with the `appState` given to `login`; route there
   * with the app's router. Default: `history.replaceState` to `safeReturnTo(appState.returnTo)`.
   */
  onRedirectCallback?: ((appState: unknown) => void) | undefined
  /** The app. */
  children?: ReactNode
}

/**
 * Gives the components below it the session of `client` (through {@link useAuth}) and runs the
 * start-up sequence once per client, even under StrictMode: when the page is the callback,
 * `handleRedirectCallback` then `onRedirectCallback(appState)`; else `restoreSession(client)`
 * when given. Until that settles, `useAuth().isLoading` is true; a failure lands in
 * `useAuth().error`. The first provider of a client decides the start-up's options.
 *
 * @example
 * ```tsx
 * import { createClient, safeReturnTo } from 'latchkey'
 * import { AuthProvider } from 'latchkey/react'
 * import { restoreSession } from 'latchkey/silent'
 *
 * const auth = createClient({ issuer: 'https://id.example.com', clientId: 'abc', redirectUri: location.origin + '/callback' })
 *
 * // appState is what the app gave to login: here always { returnTo }
 * const returnTo = (appState: unknown) => safeReturnTo((appState as { returnTo?: string })?.returnTo)
 *
 * createRoot(root).render(
 *   <AuthProvider client={auth} restoreSession={restoreSession} onRedirectCallback={(appState) => navigate(returnTo(appState))}>
 *     <App />
 *   </AuthProvider>,
 * )
 * ```
 */
export const AuthProvider = ({
  client,
  restoreSession,
  loginWithPopup,
  onRedirectCallback,
  children,
}: AuthProviderProps): ReactElement => {
  const store = authStoreOf(client)
  // In an effect, not during render: render must stay pure (React may render and discard), and
  // a server render, which runs no effects, must not touch the page.
  useEffect(() => {
    void startUpOnce(client, store, { restoreSession, onRedirectCallback })
  }, [client, store, restoreSession, onRedirectCallback])
  const value = useMemo(() => ({ client, store, loginWithPopup }), [client, store, loginWithPopup])
  return createElement(AuthContext.Provider, { value }, children)
}
