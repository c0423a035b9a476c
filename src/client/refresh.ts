import { defined } from '../defined.js'
import { type AuthError, fail } from '../errors.js'
import { checkIdTokenClaims } from '../id-token.js'
import { decodeJwt } from '../jwt.js'
import { requestTokens } from '../token-endpoint.js'
import type { TokenSet } from '../token-store.js'
import type { GetAccessTokenOptions } from './client.js'
import type { ClientContext } from './context.js'

/**
 * True when the token endpoint refused the refresh token itself, which ends the session:
 * `invalid_grant` (RFC 6749 §5.2), or any other 4xx but 408 and 429, with or without a JSON body
 * (Glewlwyd answers a spent refresh token with a bare 400). 5xx, 408, 429 and network failures
 * say nothing about the token, so it is kept for the next try.
 */
export const refusesRefreshToken = ({ error, status = 0 }: AuthError): boolean =>
  error === 'invalid_grant' || (status >= 400 && status < 500 && status !== 408 && status !== 429)

/**
 * The client's `getAccessToken`: the current access token, or a refreshed one (RFC 6749 §6).
 * One refresh at a time in this tab, run under the extensions' lock (a Web Lock with
 * `latchkey/tabs`) and re-reading the tokens under it, so a refresh another holder of the lock
 * already made is not made again (RFC 9700 §4.14.2: a replayed rotated refresh token ends the
 * whole session).
 */
export const createAccessTokenGetter = (
  context: ClientContext,
): ((options?: GetAccessTokenOptions) => Promise<string>) => {
  const { options, tokens: holder } = context
  const lock = context.extensions.find((extension) => extension.lock)?.lock
  let refreshing: Promise<string> | undefined
  /** The server's Retry-After (rule 13), for the refresh token it was given for only. */
  let retryNotBefore = 0
  let retryError: AuthError | undefined
  let retryToken: string | undefined

  const refresh = async (seen: TokenSet): Promise<string> => {
    const current = holder.get()
    // Another tab's refresh, or a new login, arrived while this one waited for the lock.
    if (current !== seen && current && !holder.isExpired()) return current.accessToken
    if (!current?.refreshToken)
      return fail('login_required', 'Logged out during refresh: log in again')
    if (Date.now() < retryNotBefore && retryToken === current.refreshToken) throw retryError
    const { issuer, token } = await context.server()
    let next: TokenSet
    try {
      next = await requestTokens(
        token as string,
        {
          grant_type: 'refresh_token',
          client_id: options.clientId,
          refresh_token: current.refreshToken,
        },
        context.request,
        context.tokenType,
      )
    } catch (error) {
      const { retryAfter } = error as AuthError
      if (retryAfter) {
        retryNotBefore = Date.now() + retryAfter * 1000
        retryError = error as AuthError
        retryToken = current.refreshToken
      }
      if (!refusesRefreshToken(error as AuthError)) throw error
      if (holder.get() === current) holder.set(undefined, 'error')
      return fail('login_required', 'Refresh token refused: log in again', { cause: error })
    }
    // A late answer after logout or a new login must not bring the old session back.
    if (holder.get() !== current) fail('login_required', 'Logged out during refresh: log in again')
    if (next.idToken) {
      try {
        const claims = checkIdTokenClaims(
          next.idToken,
          issuer,
          options.clientId,
          context.leewaySeconds,
        )
        const before = current.idToken && decodeJwt(current.idToken).payload
        // OIDC Core §12.2: a refreshed ID token is about the same user, for the same client.
        if (before && (claims.sub !== before.sub || String(claims.aud) !== String(before.aud))) {
          fail('invalid_id_token', 'ID token changed user: log in again')
        }
      } catch (error) {
        // Rule 14: the whole response is discarded, and with rotation the current refresh
        // token is already spent, so nothing of the session is worth keeping.
        holder.set(undefined, 'error')
        throw error
      }
    }
    // Rotation: keep the newest refresh token, or the current one when none came back.
    holder.set(
      defined<TokenSet>({ refreshToken: current.refreshToken, idToken: current.idToken, ...next }),
      'refresh',
    )
    return next.accessToken
  }

  return async ({ forceRefresh }: GetAccessTokenOptions = {}): Promise<string> => {
    const tokens = holder.get()
    if (tokens && !forceRefresh && !holder.isExpired()) return tokens.accessToken
    if (tokens?.refreshToken) {
      refreshing ??= (lock ? lock(() => refresh(tokens)) : refresh(tokens)).finally(() => {
        refreshing = undefined
      })
      return refreshing
    }
    if (tokens && holder.isExpired()) holder.set(undefined, 'expired')
    return fail('login_required', 'No valid or refresh token: call login()')
  }
}
