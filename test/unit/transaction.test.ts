import { describe, expect, test } from 'vitest'
import { createRandomState } from '../../src/index'
import { saveTransaction, type Transaction, takeTransaction } from '../../src/transaction'
import { fullStorage, type MemoryStorage, memoryStorage, thrown } from '../support/fakes'

const CLIENT = 'client-abc'
const OTHER = 'other-client'
/** Where each client keeps its pending transactions: one JSON array. */
const keyOf = (clientId: string) => `latchkey.tx1.${clientId}`
const KEY = keyOf(CLIENT)
const TTL_MS = 600_000
const NOW = Date.UTC(2030, 0, 1)

const transaction = (changes: Partial<Transaction> = {}): Transaction => ({
  state: createRandomState(),
  codeVerifier: createRandomState(),
  nonce: createRandomState(),
  redirectUri: 'https://app.example.com/callback',
  scope: 'openid',
  audience: 'https://api.example.com',
  appState: { returnTo: '/inbox', n: 1 },
  createdAt: NOW,
  ...changes,
})

/** Saves for {@link CLIENT} at {@link NOW} with {@link TTL_MS}. */
const save = (storage: MemoryStorage, saved: Transaction, now = NOW) =>
  saveTransaction(storage, CLIENT, saved, TTL_MS, now)

/** Takes for {@link CLIENT} with {@link TTL_MS}. */
const take = (storage: MemoryStorage, state: string, now = NOW) =>
  takeTransaction(storage, CLIENT, state, TTL_MS, now)

/** The records under a client's key, parsed; undefined when the key is absent. */
const stored = (storage: MemoryStorage, clientId = CLIENT): unknown =>
  storage.items.has(keyOf(clientId))
    ? JSON.parse(storage.getItem(keyOf(clientId)) as string)
    : undefined

describe('transactions in storage (rules 3, 8, 10)', () => {
  test('save then take returns the same transaction', () => {
    const storage = memoryStorage()
    const saved = transaction()
    save(storage, saved)
    expect([...storage.items.keys()]).toEqual([KEY])
    expect(take(storage, saved.state, NOW + 1000)).toEqual(saved)
  })

  test('saves append under the one key of the client, oldest first', () => {
    const storage = memoryStorage()
    const first = transaction()
    const second = transaction({ createdAt: NOW + 1 })
    save(storage, first)
    save(storage, second, NOW + 1)
    expect([...storage.items.keys()]).toEqual([KEY])
    expect(stored(storage)).toEqual([first, second])
  })

  test('rule 3: a transaction is single use: the second take → missing_transaction', () => {
    const storage = memoryStorage()
    const saved = transaction()
    save(storage, saved)
    take(storage, saved.state)
    expect(storage.length).toBe(0)
    expect(thrown(() => take(storage, saved.state))).toMatchObject({
      code: 'missing_transaction',
    })
  })

  test('rule 3: taking one of several removes only that one; its state then → state_mismatch', () => {
    const storage = memoryStorage()
    const first = transaction()
    const second = transaction()
    save(storage, first)
    save(storage, second)
    expect(take(storage, first.state)).toEqual(first)
    expect(stored(storage)).toEqual([second])
    expect(thrown(() => take(storage, first.state))).toMatchObject({ code: 'state_mismatch' })
    expect(take(storage, second.state)).toEqual(second)
    expect(storage.length).toBe(0)
  })

  test('rule 3: an unknown state while others are pending → state_mismatch, the pending one kept', () => {
    const storage = memoryStorage()
    const pending = transaction()
    save(storage, pending)
    expect(thrown(() => take(storage, createRandomState()))).toMatchObject({
      code: 'state_mismatch',
    })
    expect(stored(storage)).toEqual([pending])
    expect(take(storage, pending.state)).toEqual(pending)
  })

  test('rule 3: an unknown state with none pending → missing_transaction', () => {
    expect(thrown(() => take(memoryStorage(), 'some-state'))).toMatchObject({
      code: 'missing_transaction',
    })
  })

  test('rule 3: an unknown state with only expired ones pending → missing_transaction, and they are dropped', () => {
    const storage = memoryStorage()
    save(storage, transaction())
    expect(thrown(() => take(storage, 'some-state', NOW + TTL_MS + 1))).toMatchObject({
      code: 'missing_transaction',
    })
    expect(storage.length).toBe(0)
  })

  test.each([
    ['upper-cased', (s: string) => s.toUpperCase()],
    ['with a trailing space', (s: string) => `${s} `],
    ['with a leading space', (s: string) => ` ${s}`],
    ['one character shorter', (s: string) => s.slice(0, -1)],
    ['NFD-normalised', (s: string) => s.normalize('NFD')],
  ])('rule 5: state is compared byte for byte: %s → state_mismatch', (_, mangle) => {
    const storage = memoryStorage()
    const pending = transaction({ state: `${createRandomState()}Å` })
    save(storage, pending)
    const returned = mangle(pending.state)
    expect(returned).not.toBe(pending.state)
    expect(thrown(() => take(storage, returned))).toMatchObject({ code: 'state_mismatch' })
    expect(stored(storage)).toEqual([pending])
  })

  test('rule 10: older than the TTL → transaction_expired, and it is removed', () => {
    const storage = memoryStorage()
    const saved = transaction()
    save(storage, saved)
    expect(thrown(() => take(storage, saved.state, NOW + TTL_MS + 1))).toMatchObject({
      code: 'transaction_expired',
    })
    expect(storage.length).toBe(0)
  })

  test('rule 10: exactly at the TTL it is still accepted', () => {
    const storage = memoryStorage()
    const saved = transaction()
    save(storage, saved)
    expect(take(storage, saved.state, NOW + TTL_MS)).toEqual(saved)
  })

  test('rule 10: a take drops the expired ones beside it and keeps the live ones', () => {
    const storage = memoryStorage()
    const expired = transaction({ createdAt: NOW - TTL_MS - 1 })
    const live = transaction()
    const taken = transaction()
    storage.setItem(KEY, JSON.stringify([expired, live, taken]))
    expect(take(storage, taken.state)).toEqual(taken)
    expect(stored(storage)).toEqual([live])
  })

  test('rule 10: purge removes expired and corrupt records, keeps live ones and foreign keys', () => {
    const storage = memoryStorage()
    const live = transaction()
    const expired = transaction({ createdAt: NOW - TTL_MS - 1 })
    storage.setItem(KEY, JSON.stringify([live, expired, null, '{not json', 42, [], {}]))
    storage.setItem('app.theme', 'dark')
    const saved = transaction()
    save(storage, saved)
    expect(stored(storage)).toEqual([live, saved])
    expect(storage.getItem('app.theme')).toBe('dark')
  })

  test.each([
    ['a word', 'yesterday'],
    ['null', null],
    ['missing', undefined],
    ['an object', { at: NOW }],
    ['a string of digits', String(NOW)],
  ])(
    'rule 10: a record whose createdAt is %s cannot prove its age: dropped on save, expired on take',
    (_, createdAt) => {
      const storage = memoryStorage()
      const undated = transaction({ createdAt: createdAt as unknown as number })
      save(storage, undated)
      expect(thrown(() => take(storage, undated.state))).toMatchObject({
        code: 'transaction_expired',
      })
      expect(storage.length).toBe(0)

      save(storage, undated)
      const next = transaction()
      save(storage, next)
      expect(stored(storage)).toEqual([next])
    },
  )

  test.each([
    ['not JSON', '{not json'],
    ['JSON null', 'null'],
    ['a JSON object', '{}'],
    ['a JSON object with a record', JSON.stringify({ 0: transaction() })],
    ['a JSON string', '"latchkey"'],
    ['a JSON number', '42'],
    ['empty', ''],
  ])("a corrupt value under the client's key (%s) counts as no transactions", (_, corrupt) => {
    const storage = memoryStorage()
    storage.setItem(KEY, corrupt)
    expect(thrown(() => take(storage, 'some-state'))).toMatchObject({
      code: 'missing_transaction',
    })
    expect(storage.length).toBe(0)

    storage.setItem(KEY, corrupt)
    const saved = transaction()
    save(storage, saved)
    expect(stored(storage)).toEqual([saved])
    expect(take(storage, saved.state)).toEqual(saved)
  })

  test('a record of the old format (latchkey.tx.<state>) is never found', () => {
    const storage = memoryStorage()
    const old = { ...transaction(), v: 1, clientId: CLIENT }
    storage.setItem(`latchkey.tx.${old.state}`, JSON.stringify(old))
    expect(thrown(() => take(storage, old.state))).toMatchObject({ code: 'missing_transaction' })
  })

  test("another client's live record is not taken, not counted and not removed", () => {
    const storage = memoryStorage()
    const foreign = transaction()
    saveTransaction(storage, OTHER, foreign, TTL_MS, NOW)
    const foreignValue = storage.getItem(keyOf(OTHER))
    expect(thrown(() => take(storage, foreign.state))).toMatchObject({
      code: 'missing_transaction',
    })
    expect(storage.getItem(keyOf(OTHER))).toBe(foreignValue)
    expect(storage.items.has(KEY)).toBe(false)
    expect(takeTransaction(storage, OTHER, foreign.state, TTL_MS, NOW)).toEqual(foreign)
  })

  test("another client's record is left alone even when older than this client's TTL (it may have a longer one)", () => {
    const storage = memoryStorage()
    const foreign = transaction({ createdAt: NOW - 2 * 60_000 })
    saveTransaction(storage, OTHER, foreign, TTL_MS, NOW)
    const foreignValue = storage.getItem(keyOf(OTHER))
    const shortTtl = 60_000
    const mine = transaction()
    saveTransaction(storage, CLIENT, mine, shortTtl, NOW)
    expect(
      thrown(() => takeTransaction(storage, CLIENT, foreign.state, shortTtl, NOW)),
    ).toMatchObject({ code: 'state_mismatch' })
    expect(takeTransaction(storage, CLIENT, mine.state, shortTtl, NOW)).toEqual(mine)
    expect([...storage.items.keys()]).toEqual([keyOf(OTHER)])
    expect(storage.getItem(keyOf(OTHER))).toBe(foreignValue)
  })

  test('storage that refuses the write → invalid_config', () => {
    expect(
      thrown(() => saveTransaction(fullStorage(), CLIENT, transaction(), TTL_MS, NOW)),
    ).toMatchObject({
      code: 'invalid_config',
    })
  })

  test('rule 9 / 17: a saved record holds the one-time secrets and appState, nothing else', () => {
    const storage = memoryStorage()
    save(storage, transaction())
    expect([...storage.items.keys()]).toEqual([KEY])
    const records = stored(storage) as Record<string, unknown>[]
    expect(records).toHaveLength(1)
    expect(Object.keys(records[0] ?? {}).sort()).toEqual(
      [
        'appState',
        'audience',
        'codeVerifier',
        'createdAt',
        'nonce',
        'redirectUri',
        'scope',
        'state',
      ].sort(),
    )
  })
})
