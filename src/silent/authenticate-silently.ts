import type { AuthorizeParams } from '../authorize.js'
import type { Client } from '../client/client.js'
import type { ClientContext } from '../client/context.js'
import { contextOf } from '../client/extension.js'
import { createAuthorizeUrl } from '../client/login.js'
import type { TokenSet } from '../token-store.js'
import {
  discardTransaction,
  receiveWindowResponse,
  stateOf,
  timeoutAfter,
} from './window-response.js'

/** Options of {@link authenticateSilently}. */
export interface AuthenticateSilentlyOptions {
  /** The `scope` for this login; the client's otherwise. */
  scope?: string
  /** The `audience` for this login; the client's otherwise. */
  audience?: string
  /** Extra `/authorize` parameters; `prompt` is always `none`. */
  authorizeParams?: AuthorizeParams
  /**
   * How long the server may take to answer, in seconds, before `timeout`. A server that shows a
   * page in the iframe instead of redirecting (no `prompt=none` support) never answers.
   * @default 10
   */
  timeoutSeconds?: number
}

/** The silent login running for each client: a second call joins it instead of a second iframe. */
const running = new WeakMap<ClientContext, Promise<TokenSet>>()

/**
 * Logs in without showing anything: `prompt=none` (OIDC Core §3.1.2.1) in a hidden iframe at the
 * redirect URI. The server answers at once, with a code when its session cookie reaches the
 * iframe (same site, or third-party cookies allowed), else with an error. The app's ordinary
 * callback page, loaded in the iframe, hands the response to this window, which checks and
 * exchanges it as {@link Client.handleRedirectCallback} does. The iframe is removed on every
 * outcome. Calls made while one runs share it (and its options): one iframe, one promise.
 *
 * @throws {@link index!AuthError} `authorization_error` with {@link index!AuthError.error} `login_required`,
 * `interaction_required` or `consent_required` when the server needs the user (no session, or a
 * browser that keeps its cookies from the iframe): log in with a redirect or a popup instead;
 * `timeout` after `timeoutSeconds`; `state_mismatch` when the iframe answered another login's
 * state; else what {@link Client.handleRedirectCallback} throws.
 * @example
 * ```ts
 * import { authenticateSilently } from 'latchkey/silent'
 *
 * try {
 *   await authenticateSilently(auth, { audience: 'https://billing.example.com' })
 * } catch (e) {
 *   if (isAuthError(e) && e.error === 'login_required') await auth.login()
 *   else throw e
 * }
 * ```
 */
export const authenticateSilently = (
  client: Client,
  options: AuthenticateSilentlyOptions = {},
): Promise<TokenSet> => {
  let context: ClientContext
  try {
    context = contextOf(client)
  } catch (error) {
    return Promise.reject(error)
  }
  const current = running.get(context)
  if (current) return current
  const started = loginInFrame(client, context, options).finally(() => running.delete(context))
  running.set(context, started)
  return started
}

const loginInFrame = async (
  client: Client,
  context: ClientContext,
  { timeoutSeconds = 10, authorizeParams, ...login }: AuthenticateSilentlyOptions,
): Promise<TokenSet> => {
  const url = await createAuthorizeUrl(
    context,
    { ...login, authorizeParams: { ...authorizeParams, prompt: 'none' } },
    true,
  )
  const state = stateOf(url)
  const ended = new AbortController()
  const frame = document.createElement('iframe')
  try {
    const response = receiveWindowResponse(state, () => frame.contentWindow, ended.signal)
    frame.hidden = true
    frame.title = 'latchkey silent login'
    frame.src = url
    ;(document.body ?? document.documentElement).append(frame)
    const href = await Promise.race([
      response,
      timeoutAfter(
        timeoutSeconds,
        ended.signal,
        `No answer from /authorize in ${timeoutSeconds} s: server down, or no prompt=none support`,
      ),
    ])
    frame.remove()
    return (await client.handleRedirectCallback(href)).tokens
  } finally {
    ended.abort()
    frame.remove()
    discardTransaction(context, state)
  }
}
