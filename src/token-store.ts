/** The tokens of one signed-in session, as latchkey keeps them: in memory only. */
export interface TokenSet {
  /** The access token, sent as `Authorization: {tokenType} …` (RFC 6750 §2.1, RFC 9449 §7.1). */
  accessToken: string
  /**
   * `Bearer`, or `DPoP` with the DPoP add-on: an answer with any other `token_type` is refused
   * (RFC 6749 §5.1, RFC 9449 §5).
   */
  tokenType: 'Bearer' | 'DPoP'
  /** Epoch ms, from `expires_in` at receipt; undefined when the server did not say. */
  expiresAt?: number
  /** Gets a new token set ({@link refreshTokens}); with rotation, each use returns a new one. */
  refreshToken?: string
  /** The OpenID Connect ID token (a JWT), when the server sent one. */
  idToken?: string
  /** The scope as granted, when the server said. */
  scope?: string
}

/** Why the tokens changed. */
export type ChangeReason = 'login' | 'refresh' | 'logout' | 'expired' | 'error'

/** Called on every change; `tokens` is undefined after logout, expiry or a fatal error. */
export type TokenListener = (tokens: TokenSet | undefined, reason: ChangeReason) => void

/** An in-memory holder of one {@link TokenSet} that tells its subscribers about each change. */
export interface TokenStore {
  /** The current tokens, or undefined. */
  get(): TokenSet | undefined
  /** Replaces the tokens with a frozen copy (or none) and calls every listener with `reason`. */
  set(tokens: TokenSet | undefined, reason: ChangeReason): void
  /** Returns the function that unsubscribes. */
  subscribe(listener: TokenListener): () => void
}

/**
 * Creates a token store. Tokens are kept in a closure, never in Web Storage, cookies or the URL
 * (draft-ietf-oauth-browser-based-apps §8), and frozen so no reader can change them. A listener
 * that throws does not stop the others; its error is rethrown asynchronously so it is still seen.
 *
 * @example
 * ```ts
 * const store = createTokenStore()
 * const off = store.subscribe((tokens, reason) => render(tokens, reason))
 * ```
 */
export const createTokenStore = (): TokenStore => {
  let current: TokenSet | undefined
  const listeners = new Set<TokenListener>()
  return {
    get: () => current,
    set(tokens, reason) {
      current = tokens && Object.freeze({ ...tokens })
      for (const listener of [...listeners]) {
        try {
          listener(current, reason)
        } catch (error) {
          queueMicrotask(() => {
            throw error
          })
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => {
        listeners.delete(listener)
      }
    },
  }
}
