import { createContext, useContext } from 'react'
import { AuthError, type Client } from '../index.js'
import type { AuthStore } from './auth-store.js'

/** What `AuthProvider` hands down: the client, its store, and the add-on the app chose. */
export interface AuthContextValue {
  client: Client
  store: AuthStore
  loginWithPopup:
    | ((client: Client, options?: { appState?: unknown }) => Promise<unknown>)
    | undefined
}

/** Created at import: a context object only, nothing that reads `window`. */
export const AuthContext = createContext<AuthContextValue | undefined>(undefined)

/**
 * The nearest provider's value.
 *
 * @throws {@link AuthError} `invalid_config` outside an `AuthProvider`.
 */
export const useAuthContext = (): AuthContextValue => {
  const value = useContext(AuthContext)
  if (!value) throw new AuthError('invalid_config', 'No <AuthProvider> above: wrap the app in it')
  return value
}
