import { isCallbackUrl } from '../callback.js'
import type { ClientContext } from '../client/context.js'
import { RESPONSE_CHANNEL } from '../client/redirect-callback.js'
import { AuthError } from '../errors.js'
import { takeTransaction } from '../transaction.js'

/** The `state` an authorization request URL carries (the one `createAuthorizeUrl` made). */
export const stateOf = (authorizeUrl: string): string =>
  new URL(authorizeUrl).searchParams.get('state') as string

/**
 * Waits for the authorization response of a login this window started in another window (a
 * popup or a hidden iframe), as the ordinary callback page hands it over: by `postMessage` to
 * this origin, and on the {@link RESPONSE_CHANNEL} (which also reaches an opener that the login
 * page's COOP cut off). Resolves with the response URL; stops listening when `ended` aborts.
 *
 * Only the response for `state`, the one this call started, is taken (security.md rule 21):
 * other logins of this origin (another tab's popup, a silent login elsewhere) answer on the same
 * channel and are left alone. A callback URL posted by `source` itself with another state is a
 * tampered or foreign response from the very window we opened: it rejects with `state_mismatch`.
 */
export const receiveWindowResponse = (
  state: string,
  source: () => MessageEventSource | null,
  ended: AbortSignal,
): Promise<string> =>
  new Promise((resolve, reject) => {
    const channel = globalThis.BroadcastChannel ? new BroadcastChannel(RESPONSE_CHANNEL) : undefined
    const stop = () => {
      removeEventListener('message', onMessage)
      channel?.close()
    }
    const consider = (response: unknown, fromSource: boolean) => {
      if (typeof response !== 'string' || !isCallbackUrl(response)) return
      // Byte for byte (rule 5); a repeated state is then refused by handleRedirectCallback.
      if (new URL(response).searchParams.get('state') === state) {
        stop()
        resolve(response)
      } else if (fromSource) {
        stop()
        reject(new AuthError('state_mismatch', 'Login window answered another state: log in again'))
      }
    }
    const onMessage = (event: MessageEvent) => {
      // The exact origin, never a pattern (RFC 9700 §4.17), from the window this login opened.
      if (event.origin === location.origin && event.source === source()) {
        consider(event.data, true)
      }
    }
    addEventListener('message', onMessage)
    if (channel) channel.onmessage = (event) => consider(event.data, false)
    ended.addEventListener('abort', stop, { once: true })
  })

/**
 * Spends the transaction of a login that ended without its response (timeout, closed, blocked):
 * a response that arrives later finds nothing to exchange its code with. Quiet when it is
 * already gone, as after a handled response.
 */
export const discardTransaction = (context: ClientContext, state: string): void => {
  try {
    takeTransaction(context.storage(), context.options.clientId, state, context.ttlMs)
  } catch {
    // Already spent, or storage unreadable: nothing left to spend.
  }
}

/**
 * Rejects with `timeout` after `seconds` (clamped to what `setTimeout` can wait), unless `ended`
 * aborts first.
 */
export const timeoutAfter = (
  seconds: number,
  ended: AbortSignal,
  message: string,
): Promise<never> =>
  new Promise((_, reject) => {
    const timer = setTimeout(
      () => reject(new AuthError('timeout', message)),
      Math.min(seconds * 1000, 2 ** 31 - 1),
    )
    ended.addEventListener('abort', () => clearTimeout(timer), { once: true })
  })
