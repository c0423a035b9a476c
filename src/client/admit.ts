import { defined } from '../defined.js'
import { checkIdTokenClaims } from '../id-token.js'
import { decodeJwt } from '../jwt.js'
import type { ChangeReason, TokenSet } from '../token-store.js'
import type { ClientContext } from './context.js'

const isText = (value: unknown) => value === undefined || (typeof value === 'string' && !!value)

/**
 * Puts tokens that came from elsewhere (another tab, a persisted DPoP-bound session) into a
 * client, through the checks a login's tokens pass: the shape of a token set of the client's
 * `tokenType`, and the ID token's `alg`, `iss`, `aud`, `azp` and `sub` (OIDC Core §3.1.3.7). Its
 * times are checked against its own `iat`, not the clock: a session outlives its ID token
 * through refresh. A refreshed set must be about the same user as the one held (OIDC Core §12.2).
 * Anything else is refused without a trace: the caller treats the message as never sent.
 *
 * @returns true when the tokens are now the client's.
 */
export const admitTokens = (
  context: ClientContext,
  value: unknown,
  reason: ChangeReason,
): boolean => {
  const tokens = value as Partial<TokenSet> | null
  try {
    if (
      typeof tokens?.accessToken !== 'string' ||
      !(tokens.accessToken || tokens.refreshToken) ||
      tokens.tokenType !== context.tokenType ||
      !(tokens.expiresAt === undefined || Number.isFinite(tokens.expiresAt)) ||
      ![tokens.refreshToken, tokens.idToken, tokens.scope].every(isText)
    ) {
      return false
    }
    if (tokens.idToken) {
      const { iat } = decodeJwt(tokens.idToken).payload
      const claims = checkIdTokenClaims(
        tokens.idToken,
        context.issuer,
        context.options.clientId,
        context.leewaySeconds,
        undefined,
        (iat as number) * 1000,
      )
      const held = context.tokens.get()?.idToken
      if (reason === 'refresh' && held && decodeJwt(held).payload.sub !== claims.sub) return false
    }
  } catch {
    return false
  }
  context.tokens.set(
    defined<TokenSet>({
      accessToken: tokens.accessToken,
      tokenType: tokens.tokenType,
      expiresAt: tokens.expiresAt,
      refreshToken: tokens.refreshToken,
      idToken: tokens.idToken,
      scope: tokens.scope,
    }),
    reason,
  )
  return true
}
