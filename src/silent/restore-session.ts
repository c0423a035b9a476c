import type { Client } from '../client/client.js'
import { contextOf } from '../client/extension.js'
import { isAuthError } from '../errors.js'
import { authenticateSilently } from './authenticate-silently.js'

/** Options of {@link restoreSession}. */
export interface RestoreSessionOptions {
  /**
   * Try a silent `prompt=none` login ({@link authenticateSilently}) when memory and the add-ons
   * have no session. Turn it off where the server's cookies cannot reach an iframe anyway, to
   * save the request.
   * @default true
   */
  silent?: boolean
  /**
   * How long each source may take, in seconds. An add-on's source that takes longer counts as
   * "no session" from it; the silent login then fails with `timeout`. Left out, each source's
   * own limit applies (10 s for the silent login).
   */
  timeoutSeconds?: number
}

/**
 * The server's answers to `prompt=none` that mean "the user must be there": no session, not an
 * error (OIDC Core §3.1.2.6).
 */
const NO_SESSION = [
  'login_required',
  'interaction_required',
  'consent_required',
  'account_selection_required',
]

/**
 * Brings an existing session into memory at page start, without a redirect, trying in order:
 * memory; the client's add-ons (`syncTabs()`: an open tab of this origin hands its session over,
 * with no request to the server; a persisted DPoP-bound session); then, with `silent`, a silent
 * `prompt=none` login in a hidden iframe ({@link authenticateSilently}), which works when the
 * server's session cookie reaches the iframe (same site, or third-party cookies allowed).
 *
 * @returns true when a session is now in memory, false when there is simply none: "no session"
 * (the server's `login_required`, `interaction_required`, `consent_required` or
 * `account_selection_required`) is not an error. Call it on every page start that is not a
 * callback.
 * @throws {@link index!AuthError} for a real failure of the silent login: `timeout`, `network_error`,
 * `issuer_mismatch`, `state_mismatch`, `invalid_id_token`, …
 * @example
 * ```ts
 * import { restoreSession } from 'latchkey/silent'
 *
 * if (auth.isCallback()) await auth.handleRedirectCallback()
 * else if (!(await restoreSession(auth))) showSignIn()
 * ```
 */
export const restoreSession = async (
  client: Client,
  { silent = true, timeoutSeconds }: RestoreSessionOptions = {},
): Promise<boolean> => {
  const { extensions } = contextOf(client)
  if (client.isAuthenticated()) return true
  for (const extension of extensions) {
    if (!extension.restore) continue
    const restored = timeoutSeconds
      ? await Promise.race([
          extension.restore(),
          new Promise<boolean>((resolve) => setTimeout(resolve, timeoutSeconds * 1000, false)),
        ])
      : await extension.restore()
    if (restored && client.isAuthenticated()) return true
  }
  if (!silent) return false
  try {
    await authenticateSilently(client, timeoutSeconds ? { timeoutSeconds } : {})
  } catch (error) {
    if (
      isAuthError(error) &&
      error.code === 'authorization_error' &&
      NO_SESSION.includes(error.error as string)
    ) {
      return false
    }
    throw error
  }
  return client.isAuthenticated()
}
