import { transact } from './database.js'

/** A non-extractable P-256 key pair as IndexedDB keeps it (CryptoKeys are structured-cloneable). */
const isKeyPair = (value: unknown): value is CryptoKeyPair => {
  const pair = value as Partial<CryptoKeyPair> | undefined
  return pair?.privateKey?.type === 'private' && pair.publicKey?.type === 'public'
}

/**
 * The DPoP key pair of one issuer + client (`id`), or undefined when there is none or what is
 * stored is not a key pair (the caller treats that as no key).
 *
 * @example
 * ```ts
 * const keyPair = await readKeyPair(id)
 * ```
 */
export const readKeyPair = (id: string): Promise<CryptoKeyPair | undefined> =>
  transact(['keys'], 'readonly', (transaction, done) => {
    const request = transaction.objectStore('keys').get(id)
    request.onsuccess = () => done(isKeyPair(request.result) ? request.result : undefined)
  })

/**
 * The DPoP key pair of one issuer + client, made on first use: ES256 (RFC 9449 §4.2 requires an
 * asymmetric algorithm; P-256 is the one every browser's WebCrypto signs with), the private key
 * generated non-extractable so its bytes never leave WebCrypto (security.md rule 23).
 *
 * Several tabs may start at once with no key yet. Each may generate one (WebCrypto is async, so
 * that happens outside any transaction), but the store keeps the first: "get, else put" runs in
 * one `readwrite` transaction, which IndexedDB serialises across tabs, and every tab leaves it
 * with the pair that was stored. No Web Lock is needed for that, so it holds where Web Locks
 * are missing too.
 *
 * @example
 * ```ts
 * const { privateKey, publicKey } = await loadOrCreateKeyPair(`${issuer} ${clientId}`)
 * ```
 */
export const loadOrCreateKeyPair = async (id: string): Promise<CryptoKeyPair> => {
  const stored = await readKeyPair(id)
  if (stored) return stored
  const created = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
    'sign',
    'verify',
  ])
  return transact(['keys'], 'readwrite', (transaction, done) => {
    const keys = transaction.objectStore('keys')
    const request = keys.get(id)
    request.onsuccess = () => {
      if (isKeyPair(request.result)) return done(request.result)
      keys.put(created, id)
      done(created)
    }
  })
}
