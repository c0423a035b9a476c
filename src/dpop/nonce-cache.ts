/** The latest DPoP nonce of each origin (RFC 9449 §8, §9). */
export interface NonceCache {
  /** The nonce to put in the next proof for `url`'s origin, if the server gave one. */
  get(url: string): string | undefined
  /**
   * Keeps the response's `DPoP-Nonce`, when it has one, for `url`'s origin: a server may send a
   * fresh nonce with any answer, a 200 included (§8.2, §9), and the latest one is the one to use.
   *
   * @returns true when the response carried a nonce.
   */
  update(url: string, response: Response): boolean
}

/**
 * Nonces by origin, in memory. An authorization server and a resource server issue their own
 * (§8, §9); keeping them per origin sends each its own, and one shared by both when they are one
 * origin. A reload forgets them: the first request after it meets at most one challenge.
 *
 * @example
 * ```ts
 * const nonces = createNonceCache()
 * const response = await fetch(url, { headers: { dpop: await proof(nonces.get(url)) } })
 * nonces.update(url, response)
 * ```
 */
export const createNonceCache = (): NonceCache => {
  const nonces = new Map<string, string>()
  return {
    get: (url) => nonces.get(new URL(url).origin),
    update(url, response) {
      const nonce = response.headers.get('dpop-nonce')
      if (nonce) nonces.set(new URL(url).origin, nonce)
      return !!nonce
    },
  }
}
