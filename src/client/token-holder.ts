import {
  type ChangeReason,
  createTokenStore,
  type TokenSet,
  type TokenStore,
} from '../token-store.js'

/**
 * A client's tokens: the in-memory {@link TokenStore}, plus when its access token counts as
 * expired. Add-ons observe it with `subscribe` and put in tokens from elsewhere with
 * `admitTokens`, which checks them as a login's are checked.
 */
export interface TokenHolder extends TokenStore {
  /** True from `leewaySeconds` before the access token's expiry (or half its life, if shorter). */
  isExpired(): boolean
}

/** A token holder whose tokens count as expired `leewaySeconds` early. */
export const createTokenHolder = (leewaySeconds: number): TokenHolder => {
  const store = createTokenStore()
  /** When the current access token counts as expired; set whenever the tokens change. */
  let refreshAt = Infinity
  return {
    ...store,
    set(tokens: TokenSet | undefined, reason: ChangeReason) {
      const expiresAt = tokens?.expiresAt ?? Infinity
      // `leewaySeconds` early, but never earlier than half the token's life: a token that lives
      // less than the leeway would otherwise be refreshed on every call.
      refreshAt = expiresAt - Math.min(leewaySeconds * 1000, (expiresAt - Date.now()) / 2)
      store.set(tokens, reason)
    },
    isExpired: () => Date.now() >= refreshAt,
  }
}
