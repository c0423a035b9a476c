import { fail } from './errors.js'

/**
 * The part of the Web Storage interface the transaction store needs. `sessionStorage` fits; so
 * does any object with these members (a native shell's own store, a test double).
 */
export type TransactionStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>

/**
 * What one authorization request must remember until its response comes back. It lives in
 * storage (the page is gone during the redirect) and holds no token, only one-time secrets.
 */
export interface Transaction {
  /** The `state` sent; a response is matched to its transaction by it. */
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

/**
 * Each client keeps its pending logins as one JSON array under this prefix and its client id.
 * The `1` is the record version: records of another version are simply not found.
 */
const PREFIX = 'latchkey.tx1.'

/**
 * The logins a client has started and not yet finished, as stored: for tools that show them
 * (the playground's storage inspector). Unreadable storage counts as none. They hold one-time
 * secrets (the verifier): show them to the developer, never send them anywhere.
 *
 * @example
 * ```ts
 * readTransactions(sessionStorage, 'abc').map((transaction) => transaction.state)
 * ```
 */
export const readTransactions = (storage: TransactionStorage, clientId: string): Transaction[] => {
  try {
    const records: unknown = JSON.parse(storage.getItem(PREFIX + clientId) as string)
    return Array.isArray(records) ? records : []
  } catch {
    return []
  }
}

/** Live: younger than `ttlMs`. A record that cannot prove its age (no numeric `createdAt`) is not. */
const isLive = (record: Transaction | null, ttlMs: number, now: number) =>
  typeof record?.createdAt === 'number' && now - record.createdAt <= ttlMs

/**
 * Stores a transaction beside this client's live ones; expired and unreadable ones are dropped
 * (security.md rule 10). Other clients' transactions live under their own key: their TTL may
 * be longer.
 *
 * @throws {@link AuthError} `invalid_config` when the storage refuses the write.
 */
export const saveTransaction = (
  storage: TransactionStorage,
  clientId: string,
  transaction: Transaction,
  ttlMs: number,
  now = Date.now(),
): void => {
  const records = readTransactions(storage, clientId).filter((record) => isLive(record, ttlMs, now))
  try {
    storage.setItem(PREFIX + clientId, JSON.stringify([...records, transaction]))
  } catch (cause) {
    fail('invalid_config', 'Storage refused login: check storage, appState JSON', {
      cause,
    })
  }
}

/**
 * Finds the transaction for a returned `state` and removes it, so each state is used once
 * (RFC 6749 §10.12). The state is compared byte for byte: no trimming, case folding or
 * normalisation. Expired transactions are dropped on the way.
 *
 * @throws {@link AuthError} `state_mismatch` when other live transactions of this client exist (a
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
  const records = readTransactions(storage, clientId)
  const found = records.find((record) => record?.state === state)
  const others = records.filter((record) => record !== found && isLive(record, ttlMs, now))
  if (others.length) storage.setItem(PREFIX + clientId, JSON.stringify(others))
  else storage.removeItem(PREFIX + clientId)
  if (!found) {
    return others.length
      ? fail('state_mismatch', 'Unknown state (CSRF?): log in again')
      : fail('missing_transaction', 'No pending login (reused URL? other tab?): log in again')
  }
  if (!isLive(found, ttlMs, now)) {
    fail('transaction_expired', 'Login too old (transactionTtlSeconds): log in again')
  }
  return found
}
