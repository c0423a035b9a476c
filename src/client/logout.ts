import { buildEndSessionUrl } from '../end-session.js'
import { createRandomState } from '../random.js'
import { postForm } from '../request.js'
import type { LogoutOptions } from './client.js'
import type { ClientContext } from './context.js'

/**
 * Ends the session: forgets the tokens here, revokes the refresh token (RFC 7009, best effort)
 * and sends the browser to the server's logout endpoint, in Auth0's dialect or OIDC's
 * ({@link buildEndSessionUrl}).
 */
export const logout = async (
  context: ClientContext,
  logoutOptions: LogoutOptions = {},
): Promise<void> => {
  const { clientId } = context.options
  const tokens = context.tokens.get()
  context.tokens.set(undefined, 'logout')
  if (logoutOptions.localOnly) return
  const { revocation, endSession, endSessionStyle } = await context.server()
  if (tokens?.refreshToken && revocation) {
    // Best effort (RFC 7009 §2.2.1): the local session is gone whatever the server answers.
    await postForm(
      revocation,
      { client_id: clientId, token: tokens.refreshToken, token_type_hint: 'refresh_token' },
      context.request,
    ).catch(() => {})
  }
  if (endSession) {
    await context.navigate(
      buildEndSessionUrl({
        endSessionEndpoint: endSession,
        clientId,
        returnTo: logoutOptions.returnTo,
        idTokenHint: (logoutOptions.idTokenHint && tokens?.idToken) || undefined,
        state: createRandomState(),
        style: endSessionStyle ?? 'oidc',
      }),
      logoutOptions.navigate,
    )
  }
}
