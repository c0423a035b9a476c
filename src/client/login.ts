import { assertAuthorizeParams, authorizeUrl } from '../authorize.js'
import { createCodeChallenge, createCodeVerifier } from '../pkce.js'
import { createRandomState } from '../random.js'
import { saveTransaction } from '../transaction.js'
import type { LoginOptions } from './client.js'
import type { ClientContext } from './context.js'

/**
 * Starts every state of a login whose response goes back to the window that started it (a popup
 * or an iframe). `.` is outside the base64url alphabet of an ordinary state, so the callback page
 * tells the two apart from the state alone: it may not share the starter's sessionStorage.
 */
export const WINDOW_STATE_PREFIX = 'w.'

/**
 * Starts a login (RFC 6749 §4.1.1 with RFC 7636 PKCE): fresh `state`, `nonce` and verifier,
 * saved as a transaction, and the `/authorize` URL that carries them.
 */
export const createAuthorizeUrl = async (
  context: ClientContext,
  login: LoginOptions = {},
  toWindow?: boolean,
): Promise<string> => {
  const { options } = context
  const scope = login.scope ?? options.scope ?? 'openid profile email'
  const audience = login.audience ?? options.audience
  const extraParams = { ...options.authorizeParams, ...login.authorizeParams }
  assertAuthorizeParams(extraParams)
  const { authorization } = await context.server()
  for (const extension of context.extensions) {
    Object.assign(extraParams, await extension.authorizeParams?.())
  }
  // Fresh secrets for every request, also after a failed one (RFC 9700 §2.1.1).
  const codeVerifier = createCodeVerifier()
  const state = (toWindow ? WINDOW_STATE_PREFIX : '') + createRandomState()
  const nonce = scope.split(' ').includes('openid') ? createRandomState() : undefined
  const url = authorizeUrl(
    authorization as string,
    {
      client_id: options.clientId,
      redirect_uri: options.redirectUri,
      scope,
      audience,
      state,
      nonce,
      code_challenge: await createCodeChallenge(codeVerifier),
    },
    extraParams,
  )
  saveTransaction(
    context.storage(),
    options.clientId,
    {
      state,
      codeVerifier,
      nonce,
      redirectUri: options.redirectUri,
      scope,
      audience,
      appState: login.appState,
      createdAt: Date.now(),
    },
    context.ttlMs,
  )
  return url
}
