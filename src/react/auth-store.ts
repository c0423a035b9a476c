import type { AuthError, Client, JwtClaims, TokenSet } from '../index.js'

/**
 * What React components see of a client's session. One object per state: it changes identity
 * only when the tokens, the loading flag, the error or `isAuthenticated` change, so it can be
 * compared with `===` and used as an effect dependency.
 */
export interface AuthState {
  /** True until the start-up (callback or restore) has settled; always true in a server render. */
  readonly isLoading: boolean
  /** {@link Client.isAuthenticated} at the last change. */
  readonly isAuthenticated: boolean
  /** {@link Client.getUser}: the validated ID token's claims. */
  readonly user: JwtClaims | undefined
  /** Why the start-up or a login started by `RequireAuth` failed; cleared by the next login. */
  readonly error: AuthError | undefined
}

/** A client's session as an external store for `useSyncExternalStore`. */
export interface AuthStore {
  /** Adds a listener for any change of {@link AuthStore.getSnapshot}; returns its remover. */
  subscribe(onChange: () => void): () => void
  /** The current state, the same object until something in it changes. */
  getSnapshot(): AuthState
  /** The start-up is over (or a login could not start): loading ends, `error` is set or cleared. */
  settle(error?: AuthError): void
  /** True from a `logout` on this page until the next login. */
  loggedOut(): boolean
}

const LOADING: AuthState = Object.freeze({
  isLoading: true,
  isAuthenticated: false,
  user: undefined,
  error: undefined,
})

/**
 * The server has no session and runs no effects, so a server render (and the hydration render
 * that must match it) shows loading.
 */
export const getServerSnapshot = (): AuthState => LOADING

/**
 * One store per client, at module level: every provider and hook of one client shares the same
 * loading flag and error, also across StrictMode's double mounts, which throw refs away.
 */
const stores = new WeakMap<Client, AuthStore>()

/** The store of `client`, made on first use. */
export const authStoreOf = (client: Client): AuthStore => {
  let store = stores.get(client)
  if (!store) {
    store = createAuthStore(client)
    stores.set(client, store)
  }
  return store
}

const createAuthStore = (client: Client): AuthStore => {
  let isLoading = true
  let error: AuthError | undefined
  let snapshot = LOADING
  let tokensSeen: TokenSet | undefined
  let loggedOut = false
  const listeners = new Set<() => void>()
  const notify = () => {
    for (const listener of [...listeners]) listener()
  }
  // One subscription for the store's lifetime (the client's), not one per component, so the
  // error is cleared by a login that happens while no component is mounted too.
  client.subscribe((_tokens, reason) => {
    if (reason === 'login') error = undefined
    loggedOut = reason === 'logout' || (loggedOut && reason !== 'login')
    notify()
  })
  return {
    subscribe(onChange) {
      listeners.add(onChange)
      return () => {
        listeners.delete(onChange)
      }
    },
    getSnapshot() {
      // The token store replaces its frozen TokenSet on every change, so identity says "changed".
      // `isAuthenticated` is compared too: an access token can expire without any event.
      const tokens = client.getTokens()
      const isAuthenticated = client.isAuthenticated()
      if (
        tokens !== tokensSeen ||
        isLoading !== snapshot.isLoading ||
        error !== snapshot.error ||
        isAuthenticated !== snapshot.isAuthenticated
      ) {
        tokensSeen = tokens
        snapshot = Object.freeze({
          isLoading,
          isAuthenticated,
          user: tokens && client.getUser(),
          error,
        })
      }
      return snapshot
    },
    settle(failure) {
      isLoading = false
      error = failure
      notify()
    },
    loggedOut: () => loggedOut,
  }
}
