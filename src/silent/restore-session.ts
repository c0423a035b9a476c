import type { Client } from '../client/client.js'
import { contextOf } from '../client/extension.js'

/** Options of {@link restoreSession}. */
export interface RestoreSessionOptions {
  /**
   * How long each source may take, in seconds; a source that takes longer counts as "no
   * session" from it. Left out, each add-on's own limit applies.
   */
  timeoutSeconds?: number
}

/**
 * Brings an existing session into memory at page start, without a redirect: from memory, then
 * from the client's add-ons in order (`syncTabs()`: an open tab of this origin hands its session
 * over, with no request to the server). Later add-ons add their sources here: a persisted
 * DPoP-bound session, a silent `prompt=none` login.
 *
 * @returns true when a session is now in memory, false when there is simply none: "no session"
 * is not an error. Call it on every page start that is not a callback.
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
  options: RestoreSessionOptions = {},
): Promise<boolean> => {
  const { extensions } = contextOf(client)
  if (client.isAuthenticated()) return true
  for (const extension of extensions) {
    if (!extension.restore) continue
    const restored = options.timeoutSeconds
      ? await Promise.race([
          extension.restore(),
          new Promise<boolean>((resolve) =>
            setTimeout(resolve, (options.timeoutSeconds as number) * 1000, false),
          ),
        ])
      : await extension.restore()
    if (restored && client.isAuthenticated()) return true
  }
  return false
}
