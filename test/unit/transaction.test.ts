import { describe, expect, test } from 'vitest'
import { createRandomState } from '../../src/index'
import {
  purgeExpiredTransactions,
  saveTransaction,
  type Transaction,
  takeTransaction,
} from '../../src/transaction'
import { fullStorage, memoryStorage, thrown } from '../support/fakes'

const CLIENT = 'client-abc'
const TTL_MS = 600_000
const NOW = Date.UTC(2030, 0, 1)

const transaction = (changes: Partial<Transaction> = {}): Transaction => ({
  v: 1,
  clientId: CLIENT,
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

const values = (storage: ReturnType<typeof memoryStorage>) => [...storage.items.values()]

describe('transactions in storage (rules 3, 8, 10)', () => {
  test('save then take returns the same transaction', () => {
    const storage = memoryStorage()
    const saved = transaction()
    saveTransaction(storage, saved)
    expect(takeTransaction(storage, CLIENT, saved.state, TTL_MS, NOW + 1000)).toEqual(saved)
  })

  test('rule 3: a transaction is single use: the second take → missing_transaction', () => {
    const storage = memoryStorage()
    const saved = transaction()
    saveTransaction(storage, saved)
    takeTransaction(storage, CLIENT, saved.state, TTL_MS, NOW)
    expect(storage.length).toBe(0)
    expect(thrown(() => takeTransaction(storage, CLIENT, saved.state, TTL_MS, NOW))).toMatchObject({
      code: 'missing_transaction',
    })
  })

  test('rule 3: an unknown state while others are pending → state_mismatch, the pending one kept', () => {
    const storage = memoryStorage()
    const pending = transaction()
    saveTransaction(storage, pending)
    expect(
      thrown(() => takeTransaction(storage, CLIENT, createRandomState(), TTL_MS, NOW)),
    ).toMatchObject({
      code: 'state_mismatch',
    })
    expect(takeTransaction(storage, CLIENT, pending.state, TTL_MS, NOW)).toEqual(pending)
  })

  test('rule 3: an unknown state with none pending → missing_transaction', () => {
    expect(
      thrown(() => takeTransaction(memoryStorage(), CLIENT, 'some-state', TTL_MS, NOW)),
    ).toMatchObject({
      code: 'missing_transaction',
    })
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
    saveTransaction(storage, pending)
    const returned = mangle(pending.state)
    expect(returned).not.toBe(pending.state)
    expect(thrown(() => takeTransaction(storage, CLIENT, returned, TTL_MS, NOW))).toMatchObject({
      code: 'state_mismatch',
    })
  })

  test('rule 10: older than the TTL → transaction_expired, and it is removed', () => {
    const storage = memoryStorage()
    const saved = transaction()
    saveTransaction(storage, saved)
    expect(
      thrown(() => takeTransaction(storage, CLIENT, saved.state, TTL_MS, NOW + TTL_MS + 1)),
    ).toMatchObject({
      code: 'transaction_expired',
    })
    expect(storage.length).toBe(0)
  })

  test('rule 10: exactly at the TTL it is still accepted', () => {
    const storage = memoryStorage()
    const saved = transaction()
    saveTransaction(storage, saved)
    expect(takeTransaction(storage, CLIENT, saved.state, TTL_MS, NOW + TTL_MS)).toEqual(saved)
  })

  test('rule 10: purge removes expired and corrupt records, keeps live ones and foreign keys', () => {
    const storage = memoryStorage()
    const live = transaction({ createdAt: NOW })
    const expired = transaction({ createdAt: NOW - TTL_MS - 1 })
    saveTransaction(storage, live)
    saveTransaction(storage, expired)
    storage.setItem('latchkey.tx.corrupt', '{not json')
    storage.setItem('latchkey.tx.null', 'null')
    storage.setItem('app.theme', 'dark')
    expect(purgeExpiredTransactions(storage, CLIENT, TTL_MS, NOW)).toBe(1)
    expect(values(storage)).toEqual([JSON.stringify(live), 'dark'])
  })

  test('rule 10: a record whose createdAt is not a number cannot prove its age and is purged', () => {
    const storage = memoryStorage()
    const undated = transaction({ createdAt: 'yesterday' as unknown as number })
    saveTransaction(storage, undated)
    expect(purgeExpiredTransactions(storage, CLIENT, TTL_MS, NOW)).toBe(0)
    expect(storage.length).toBe(0)
  })

  test('a record of another version (v ≠ 1) is never trusted and is purged', () => {
    const storage = memoryStorage()
    const future = { ...transaction(), v: 2 }
    storage.setItem(`latchkey.tx.${future.state}`, JSON.stringify(future))
    expect(thrown(() => takeTransaction(storage, CLIENT, future.state, TTL_MS, NOW))).toMatchObject(
      {
        code: 'missing_transaction',
      },
    )
    expect(storage.length).toBe(0)
  })

  test("another client's live record is not taken, not counted and not removed", () => {
    const storage = memoryStorage()
    const foreign = transaction({ clientId: 'other-client' })
    saveTransaction(storage, foreign)
    expect(
      thrown(() => takeTransaction(storage, CLIENT, foreign.state, TTL_MS, NOW)),
    ).toMatchObject({
      code: 'missing_transaction',
    })
    expect(purgeExpiredTransactions(storage, CLIENT, TTL_MS, NOW)).toBe(0)
    expect(takeTransaction(storage, 'other-client', foreign.state, TTL_MS, NOW)).toEqual(foreign)
  })

  test("another client's record is left alone even when older than this client's TTL (it may have a longer one)", () => {
    const storage = memoryStorage()
    const foreign = transaction({ clientId: 'other-client', createdAt: NOW - 2 * 60_000 })
    saveTransaction(storage, foreign)
    const shortTtl = 60_000
    purgeExpiredTransactions(storage, CLIENT, shortTtl, NOW)
    expect(values(storage)).toEqual([JSON.stringify(foreign)])
  })

  test('storage that refuses the write → invalid_config', () => {
    expect(thrown(() => saveTransaction(fullStorage(), transaction()))).toMatchObject({
      code: 'invalid_config',
    })
  })

  test('rule 9 / 17: a saved record holds the one-time secrets and appState, nothing else', () => {
    const storage = memoryStorage()
    const saved = transaction()
    saveTransaction(storage, saved)
    const record = JSON.parse(values(storage)[0] ?? '')
    expect(Object.keys(record).sort()).toEqual(
      [
        'appState',
        'audience',
        'clientId',
        'codeVerifier',
        'createdAt',
        'nonce',
        'redirectUri',
        'scope',
        'state',
        'v',
      ].sort(),
    )
  })
})
