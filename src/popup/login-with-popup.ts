import type { AuthorizeParams } from '../authorize.js'
import type { Client, RedirectResult } from '../client/client.js'
import { contextOf } from '../client/extension.js'
import { createAuthorizeUrl } from '../client/login.js'
import { AuthError, fail } from '../errors.js'
import {
  discardTransaction,
  receiveWindowResponse,
  stateOf,
  timeoutAfter,
} from '../silent/window-response.js'

/** Options of {@link loginWithPopup}. */
export interface LoginWithPopupOptions {
  /** Anything JSON-serializable, returned in the result; stays in storage, never in the URL. */
  appState?: unknown
  /** The `scope` for this login; the client's otherwise. */
  scope?: string
  /** The `audience` for this login; the client's otherwise. */
  audience?: string
  /** Extra `/authorize` parameters, merged over the client's. */
  authorizeParams?: AuthorizeParams
  /**
   * A window the app opened itself (in the click, with `window.open('', name, features)`): when
   * the app must await something before calling this, the browser would block a popup opened
   * after it.
   */
  popup?: Window
  /**
   * How long the user has to log in, in seconds, before `timeout`.
   * @default 300
   */
  timeoutSeconds?: number
  /** Aborting it (a Cancel button, the app leaving the page) ends the login with `popup_closed`. */
  signal?: AbortSignal
}

/** One name, so a second click brings the open login window back instead of opening another. */
const POPUP_NAME = 'latchkey-login'
const POPUP_FEATURES = 'popup,width=500,height=640'
/** How often the window is checked for having been closed, in ms. */
const POLL_MS = 500
/**
 * How long `popup.closed` must hold, in ms of this page having the focus, before it counts as
 * the user closing the window. Why not at once: a login page that sends
 * `Cross-Origin-Opener-Policy: same-origin` severs the popup from this page, which then sees it
 * as closed while the user is still typing in it; its answer still arrives here over the response
 * channel. While the user is in the popup, this page has no focus and the grace does not run
 * out; a user who closes the popup is back on this page, and learns it a few seconds later.
 */
const CLOSED_GRACE_MS = 3000

/**
 * Logs in in a popup window: the app's page keeps its state and its URL. The window is opened
 * synchronously, in the click that called this (a browser blocks popups opened later), then sent
 * to `/authorize` with a fresh `state`, `nonce` and PKCE verifier. The app's ordinary callback
 * page, loaded in the popup at the redirect URI, hands the response back; only the response with
 * this call's `state` is taken (security.md rule 21), then checked and exchanged as
 * {@link Client.handleRedirectCallback} does. The popup is closed on every outcome.
 *
 * @throws {@link index!AuthError} `popup_blocked` when the browser refused to open the window;
 * `popup_closed` when the user closed it (noticed a few seconds after the app's page has the focus
 * again) or `signal` aborted; `timeout` after `timeoutSeconds`; `state_mismatch` when the popup
 * answered another login's state; else what {@link Client.handleRedirectCallback} throws (the
 * server's refusal is `authorization_error`).
 * @example
 * ```ts
 * import { loginWithPopup } from 'latchkey/popup'
 *
 * button.onclick = async () => {
 *   try {
 *     await loginWithPopup(auth, { appState: { from: 'header' } })
 *   } catch (e) {
 *     if (isAuthError(e) && e.code === 'popup_blocked') await auth.login()
 *     else if (!isAuthError(e) || e.code !== 'popup_closed') throw e
 *   }
 * }
 * ```
 */
export const loginWithPopup = async (
  client: Client,
  options: LoginWithPopupOptions = {},
): Promise<RedirectResult> => {
  const { popup: given, timeoutSeconds = 300, signal, ...login } = options
  const context = contextOf(client)
  // Before any await: only then is this still the user's click for the popup blocker.
  const popup = given ?? open('', POPUP_NAME, POPUP_FEATURES)
  if (!popup) fail('popup_blocked', 'Popup blocked: call loginWithPopup in the click, or login()')
  const ended = new AbortController()
  const gone = Promise.race([
    watchPopup(popup, signal, ended.signal),
    timeoutAfter(timeoutSeconds, ended.signal, `No login in ${timeoutSeconds} s: try again`),
  ])
  let state: string | undefined
  try {
    const url = await Promise.race([createAuthorizeUrl(context, login, true), gone])
    state = stateOf(url)
    const response = receiveWindowResponse(state, () => popup, ended.signal)
    popup.location.href = url
    const href = await Promise.race([response, gone])
    ended.abort()
    popup.close()
    return await client.handleRedirectCallback(href)
  } finally {
    ended.abort()
    popup.close()
    if (state) discardTransaction(context, state)
  }
}

/**
 * Rejects with `popup_closed` when the user closed the popup (see {@link CLOSED_GRACE_MS}) or
 * `signal` aborted; stops when `ended` aborts.
 */
const watchPopup = (popup: Window, signal: AbortSignal | undefined, ended: AbortSignal) =>
  new Promise<never>((_, reject) => {
    let closedMs = 0
    const stop = () => {
      clearInterval(poll)
      signal?.removeEventListener('abort', aborted)
    }
    const end = (message: string) => {
      stop()
      reject(new AuthError('popup_closed', message))
    }
    const aborted = () => end('Login cancelled by the app (signal)')
    const poll = setInterval(() => {
      if (popup.closed && globalThis.document?.hasFocus?.() !== false) closedMs += POLL_MS
      if (closedMs >= CLOSED_GRACE_MS) end('Login window closed before the login ended')
    }, POLL_MS)
    ended.addEventListener('abort', stop, { once: true })
    if (signal?.aborted) aborted()
    else signal?.addEventListener('abort', aborted, { once: true })
  })
