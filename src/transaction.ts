import { fail } from './errors.js'

/**
 * The part of the Web Storage interface the transaction store needs. `sessionStorage` fits; so
 * does any object with these members (a native shell's own store, a test double).
 */
export type TransactionStorage = Pick<
  Storage,
  'getItem' | 'setItem' | 'removeItem' | 'key' | 'length'
>

/**
 * What one authorization request must remember until its response comes back. It lives in
 * storage (the page is gone during the redirect) and holds no token, only one-time secrets.
 */
export interface Transaction {
  /** Record version: a record of another version is never trusted. */
  v: 1
  /** The client that started it; other clients' transactions are never used. */
  clientId: string
  /** The `state` sent, also the storage key. */
  state: string
  /** The PKCE `code_verifier` (RFC 7636 §4.1); the token request sends it. */
  codeVerifier: string
  /** Sent when the scope has `openid`; the ID token must carry it back. */
  nonce?: string | undefined
  /** Exactly the `redirect_uri` sent to `/authorize`; the token request repeats it. */
  redirectUri: string
  /** The `scope` requested. */
  scope: string
  /** The `audience` requested. */
  audience?: string | undefined
  /** Whatever the app asked to get back after login; never put in the URL. */
  appState?: unknown
  /** Epoch ms when the request was made. */
  createdAt: number
}

const PREFIX = 'latchkey.tx.'

const read = (storage: TransactionStorage, key: string): Transaction | undefined => {
  try {
    const record = JSON.parse(storage.getItem(key) as string) as Transaction | null
    return record?.v === 1 ? record : undefined
  } catch {
    return undefined
  }
}

/**
 * Removes every stored transaction of this client older than `ttlMs` (or of unprovable age) and
 * every unreadable one, and returns how many live ones are left. Other clients' transactions are
 * theirs to purge: their TTL may be longer.
 */
export const purgeExpiredTransactions = (
  storage: TransactionStorage,
  clientId: string,
  ttlMs: number,
  now = Date.now(),
): number => {
  let live = 0
  // Walk backwards: removing an item shifts the indexes of the ones after it.
  for (let i = storage.length; i--; ) {
    const key = storage.key(i)
    if (!key?.startsWith(PREFIX)) continue
    const record = read(storage, key)
    if (record && record.clientId !== clientId) continue
    if (record && now - record.createdAt <= ttlMs) live++
    else storage.removeItem(key)
  }
  return live
}

/**
 * Stores a transaction under its state.
 *
 * @throws {@link AuthError} `invalid_config` when the storage refuses the write.
 */
export const saveTransaction = (storage: TransactionStorage, transaction: Transaction): void => {
  try {
    storage.setItem(PREFIX + transaction.state, JSON.stringify(transaction))
  } catch (cause) {
    fail('invalid_config', 'Storage refused the login: check it and that appState is JSON', {
      cause,
    })
  }
}

/**
 * Finds the transaction for a returned `state` and removes it, so each state is used once
 * (RFC 6749 §10.12). The state is looked up as an exact storage key and compared again byte for
 * byte: no trimming, case folding or normalisation.
 *
 * @throws {@link AuthError} `state_mismatch` when other transactions of this client exist (a
 * forged or stale response), `missing_transaction` when none does (another tab, cleared storage,
 * a callback used twice), `transaction_expired` when older than `ttlMs`.
 */
export const takeTransaction = (
  storage: TransactionStorage,
  clientId: string,
  state: string,
  ttlMs: number,
  now = Date.now(),
): Transaction => {
  const key = PREFIX + state
  const record = read(storage, key)
  if (record?.state === state && record.clientId === clientId) {
    storage.removeItem(key)
    if (now - record.createdAt > ttlMs) {
      fail('transaction_expired', 'Login took over transactionTtlSeconds: log in again')
    }
    return record
  }
  if (purgeExpiredTransactions(storage, clientId, ttlMs, now)) {
    fail('state_mismatch', 'state matches no pending login (CSRF?): log in again')
  }
  fail(
    'missing_transaction',
    'No pending login (other tab, cleared storage, reused URL?): log in again',
  )
}
