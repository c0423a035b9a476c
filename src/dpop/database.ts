/** The IndexedDB database every DPoP client of this origin shares: its keys and sessions. */
export const DATABASE = 'latchkey-dpop'

/** Object stores: one key pair, and at most one persisted session, per issuer + client. */
export type Store = 'keys' | 'sessions'

/**
 * Runs `body` in one transaction over `stores` and resolves with what it settles on once the
 * transaction has committed: a write is on disk before the caller goes on (a refresh lock held
 * by the caller is released only after its new refresh token is stored). IndexedDB runs
 * `readwrite` transactions on the same store one after another, across tabs: a read and a write
 * in one such transaction are atomic (the key store's "get or put" relies on it).
 *
 * @throws whatever IndexedDB throws (no IndexedDB, private mode, quota): the caller decides.
 * @example
 * ```ts
 * const record = await transact(['sessions'], 'readonly', (tx, done) => {
 *   const request = tx.objectStore('sessions').get(id)
 *   request.onsuccess = () => done(request.result)
 * })
 * ```
 */
export const transact = async <T>(
  stores: Store[],
  mode: IDBTransactionMode,
  body: (transaction: IDBTransaction, done: (value: T) => void) => void,
): Promise<T> => {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(DATABASE, 1)
    request.onupgradeneeded = () => {
      request.result.createObjectStore('keys')
      request.result.createObjectStore('sessions')
    }
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error)
  })
  try {
    return await new Promise<T>((resolve, reject) => {
      let value: T
      const transaction = db.transaction(stores, mode)
      transaction.oncomplete = () => resolve(value)
      transaction.onerror = transaction.onabort = () => reject(transaction.error)
      body(transaction, (result) => {
        value = result
      })
    })
  } finally {
    db.close()
  }
}

/**
 * Deletes the key pair and the persisted session of one issuer + client, in one transaction.
 *
 * @example
 * ```ts
 * await forgetDpopSession(id) // on logout and when the refresh token is refused
 * ```
 */
export const forgetDpopSession = (id: string): Promise<void> =>
  transact(['keys', 'sessions'], 'readwrite', (transaction) => {
    transaction.objectStore('keys').delete(id)
    transaction.objectStore('sessions').delete(id)
  })
