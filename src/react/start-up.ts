import { type Client, safeReturnTo } from '../index.js'
import type { AuthStore } from './auth-store.js'
import { toAuthError } from './to-auth-error.js'

/** What the start-up sequence may do beyond handling a callback; see `AuthProviderProps`. */
export interface StartUpOptions {
  restoreSession?: ((client: Client) => Promise<boolean>) | undefined
  onRedirectCallback?: ((appState: unknown) => void) | undefined
}

/**
 * The start-up of each client, at module level and keyed by the client: StrictMode runs effects
 * twice and may mount a provider twice, and a second `handleRedirectCallback` would find the
 * transaction spent (`missing_transaction`) or, worse, exchange the code twice. A ref would not
 * survive the remount; this survives anything short of a new client.
 */
const startUps = new WeakMap<Client, Promise<void>>()

/** Without `onRedirectCallback`: the address bar goes to `appState.returnTo` (same origin only), else `/`. */
const replaceWithReturnTo = (appState: unknown): void => {
  const returnTo = (appState as { returnTo?: unknown } | null | undefined)?.returnTo
  history.replaceState(history.state, '', safeReturnTo(returnTo))
}

const run = async (client: Client, options: StartUpOptions): Promise<void> => {
  if (client.isCallback()) {
    const { appState } = await client.handleRedirectCallback()
    try {
      ;(options.onRedirectCallback ?? replaceWithReturnTo)(appState)
    } catch (error) {
      throw toAuthError(error, 'onRedirectCallback')
    }
  } else if (options.restoreSession) {
    try {
      await options.restoreSession(client)
    } catch (error) {
      throw toAuthError(error, 'restoreSession')
    }
  }
}

/**
 * Runs the start-up sequence for `client` unless it already ran: the callback when the page is
 * one, else `restoreSession` when given. Its failure lands in the store's `error`; it never
 * rejects, so nothing goes uncaught.
 */
export const startUpOnce = (
  client: Client,
  store: AuthStore,
  options: StartUpOptions,
): Promise<void> => {
  let started = startUps.get(client)
  if (!started) {
    started = run(client, options).then(
      () => store.settle(),
      (error: unknown) => store.settle(toAuthError(error, 'start-up')),
    )
    startUps.set(client, started)
  }
  return started
}
