/**
 * `latchkey/react`: the session of a latchkey client in React 18 and later, safe under
 * StrictMode and in server rendering. React is an optional peer dependency of latchkey.
 *
 * @module
 */
export { AuthProvider, type AuthProviderProps } from './auth-provider.js'
export type { AuthState } from './auth-store.js'
export { RequireAuth, type RequireAuthProps } from './require-auth.js'
export { type UseAuthResult, useAuth } from './use-auth.js'
