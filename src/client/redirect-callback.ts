import {
  CALLBACK_PARAMS,
  type CallbackParams,
  isCallbackUrl,
  parseCallbackUrl,
} from '../callback.js'
import { fail, quotableErrorCode } from '../errors.js'
import { checkIdTokenClaims } from '../id-token.js'
import { requestTokens } from '../token-endpoint.js'
import { takeTransaction } from '../transaction.js'
import type { RedirectResult } from './client.js'
import type { ClientContext } from './context.js'
import { WINDOW_STATE_PREFIX } from './login.js'

/**
 * Where the ordinary callback page hands a popup's or an iframe's response to the window that
 * started the login (`latchkey/popup`, `latchkey/silent` listen on it). Same origin only, by
 * construction of `BroadcastChannel`; it also reaches an opener that COOP cut off.
 */
export const RESPONSE_CHANNEL = 'latchkey.response'

/** Same scheme, host and path: where a response arrives, whatever its query. */
const sameEndpoint = (a: string, b: string) => {
  const [x, y] = [new URL(a), new URL(b)]
  return x.protocol === y.protocol && x.host === y.host && x.pathname === y.pathname
}

/**
 * True when the URL carries an authorization response at the client's `redirectUri`: elsewhere
 * (another page that happens to have `?code&state`) it is not the client's to handle.
 */
export const isRedirectCallback = (context: ClientContext, url: string | URL): boolean =>
  isCallbackUrl(url) && sameEndpoint(String(url), context.options.redirectUri)

/**
 * Gives a response to the window that started its login: its opener or parent by `postMessage`
 * to this exact origin (RFC 9700 §4.17), and the response channel. Then this window, a popup,
 * closes; a browser ignores that in a window no script opened.
 */
const handToStarter = (href: string) => {
  ;(opener ?? (parent === self ? undefined : parent))?.postMessage(href, location.origin)
  if (globalThis.BroadcastChannel) {
    const channel = new BroadcastChannel(RESPONSE_CHANNEL)
    channel.postMessage(href)
    channel.close()
  }
  close()
}

/**
 * Finishes a login from its redirect URL: see {@link Client.handleRedirectCallback}. On the page
 * itself, a response to a login started by another window (its state says so) is handed to that
 * window, and the promise never settles: the popup closes, the iframe is removed.
 */
export const handleRedirectCallback = async (
  context: ClientContext,
  url: string | URL = location.href,
): Promise<RedirectResult> => {
  const { options } = context
  const href = String(url)
  const here = href === globalThis.location?.href
  let params: CallbackParams
  try {
    params = parseCallbackUrl(href)
  } finally {
    // Before the first await (security.md rule 8), also when the response is malformed: a
    // reload, a bookmark or a Referer must never carry it.
    if (here && isCallbackUrl(href)) {
      const clean = new URL(href)
      for (const name of CALLBACK_PARAMS) clean.searchParams.delete(name)
      history.replaceState(history.state, '', clean.href)
    }
  }
  // Only a response delivered at the redirect URI is ours to handle (RFC 8252 §7; security.md
  // rule 18): a deep link or page elsewhere is refused without spending the pending login.
  if (!sameEndpoint(href, options.redirectUri)) {
    fail('invalid_callback', 'Not at redirectUri: handle it there')
  }
  if (here && params.state.startsWith(WINDOW_STATE_PREFIX)) {
    handToStarter(href)
    return new Promise<never>(() => {})
  }
  // Checked first, and the transaction is spent now: one exchange per code (RFC 6749 §10.12).
  const transaction = takeTransaction(
    context.storage(),
    options.clientId,
    params.state,
    context.ttlMs,
  )
  const { issuer, token, requireIss } = await context.server()
  if (params.iss === undefined ? requireIss : params.iss !== issuer) {
    fail('issuer_mismatch', `iss ${params.iss ?? 'missing'}, expected ${issuer}: log in again`)
  }
  if (params.error) {
    fail(
      'authorization_error',
      `Login refused (${quotableErrorCode(params.error)}): see errorDescription`,
      {
        error: params.error,
        errorDescription: params.errorDescription,
        errorUri: params.errorUri,
      },
    )
  }
  const tokens = await requestTokens(
    token as string,
    {
      grant_type: 'authorization_code',
      client_id: options.clientId,
      code: params.code,
      redirect_uri: transaction.redirectUri,
      code_verifier: transaction.codeVerifier,
    },
    context.request,
    context.tokenType,
  )
  // Any failure here discards the whole response (RFC 9700 §4.5.3.2): nothing is stored yet.
  if (tokens.idToken) {
    checkIdTokenClaims(
      tokens.idToken,
      issuer,
      options.clientId,
      context.leewaySeconds,
      transaction.nonce,
    )
  } else if (transaction.nonce) {
    fail('invalid_id_token', 'No id_token for openid: check server')
  }
  context.tokens.set(tokens, 'login')
  return { appState: transaction.appState, tokens }
}
