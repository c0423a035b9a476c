import { forgetDpopSession, transact } from './database.js'

/**
 * What `dpop({ persist: true })` keeps in IndexedDB beside the key: the DPoP-bound refresh token
 * and the thumbprint of the key it is bound to. Nothing else of the session: the access and ID
 * tokens come back from the refresh that restores it.
 */
export interface PersistedSession {
  /** A refresh token bound to the key (RFC 9449 §5): worthless without the private key. */
  refreshToken: string
  /** The key's RFC 7638 thumbprint, so that a record beside another key is seen as corrupt. */
  jkt: string
}

/**
 * Keeps the session's refresh token (draft-ietf-oauth-browser-based-apps §6.3.4.2.2: only a
 * DPoP-bound one may be stored, in IndexedDB beside its non-extractable key; security.md rule 24).
 *
 * @example
 * ```ts
 * await savePersistedSession(id, { refreshToken, jkt })
 * ```
 */
export const savePersistedSession = (id: string, session: PersistedSession): Promise<void> =>
  transact(['sessions'], 'readwrite', (transaction) => {
    transaction.objectStore('sessions').put(session, id)
  })

/**
 * The persisted session of one issuer + client, when there is a sound one: a record of the
 * right shape beside a key whose thumbprint it names. A record that is not (its key gone,
 * either of them corrupt, or IndexedDB unreadable) is deleted, key included, and read as no
 * session: it could never be used, and an error would only stop the app's start.
 *
 * @param thumbprintOf The thumbprint of a stored key pair (throws for a corrupt one).
 * @example
 * ```ts
 * const session = await readPersistedSession(id, async (pair) => (await dpopKeyOf(pair)).jkt)
 * ```
 */
export const readPersistedSession = async (
  id: string,
  thumbprintOf: (pair: CryptoKeyPair) => Promise<string>,
): Promise<{ session: PersistedSession; keyPair: CryptoKeyPair } | undefined> => {
  try {
    const [session, keyPair] = await transact<[unknown, unknown]>(
      ['keys', 'sessions'],
      'readonly',
      (transaction, done) => {
        const sessionRequest = transaction.objectStore('sessions').get(id)
        const keyRequest = transaction.objectStore('keys').get(id)
        keyRequest.onsuccess = () => done([sessionRequest.result, keyRequest.result])
      },
    )
    if (session === undefined) return undefined
    const { refreshToken, jkt } = session as Partial<PersistedSession>
    if (
      typeof refreshToken === 'string' &&
      refreshToken &&
      jkt === (await thumbprintOf(keyPair as CryptoKeyPair))
    ) {
      return { session: { refreshToken, jkt }, keyPair: keyPair as CryptoKeyPair }
    }
  } catch {}
  await forgetDpopSession(id).catch(() => {})
  return undefined
}
