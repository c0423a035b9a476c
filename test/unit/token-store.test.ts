import { afterEach, describe, expect, test, vi } from 'vitest'
import { type ChangeReason, createTokenStore, type TokenSet } from '../../src/index'

const tokenSet = (n: number): TokenSet => ({
  accessToken: `at-${n}`,
  tokenType: 'Bearer',
  expiresAt: 1_000 * n,
  refreshToken: `rt-${n}`,
})

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('createTokenStore (rule 17: memory only)', () => {
  test('starts empty; get returns what was set', () => {
    const store = createTokenStore()
    expect(store.get()).toBeUndefined()
    const tokens = tokenSet(1)
    store.set(tokens, 'login')
    expect(store.get()).toEqual(tokens)
    store.set(undefined, 'logout')
    expect(store.get()).toBeUndefined()
  })

  test.each<ChangeReason>(['login', 'refresh', 'logout', 'expired', 'error'])(
    'subscribers get the tokens and the reason %s',
    (reason) => {
      const store = createTokenStore()
      const listener = vi.fn()
      store.subscribe(listener)
      const tokens = reason === 'login' || reason === 'refresh' ? tokenSet(2) : undefined
      store.set(tokens, reason)
      expect(listener).toHaveBeenCalledTimes(1)
      expect(listener).toHaveBeenCalledWith(tokens && expect.objectContaining(tokens), reason)
    },
  )

  test('unsubscribe stops the calls, for that listener only', () => {
    const store = createTokenStore()
    const kept = vi.fn()
    const dropped = vi.fn()
    store.subscribe(kept)
    const off = store.subscribe(dropped)
    store.set(tokenSet(1), 'login')
    off()
    store.set(tokenSet(2), 'refresh')
    expect(kept).toHaveBeenCalledTimes(2)
    expect(dropped).toHaveBeenCalledTimes(1)
  })

  test('stored tokens are a frozen copy: neither the caller nor a reader can change them', () => {
    const store = createTokenStore()
    const tokens = tokenSet(1)
    store.set(tokens, 'login')
    tokens.accessToken = 'changed-by-caller'
    const stored = store.get() as TokenSet
    expect(stored.accessToken).toBe('at-1')
    expect(Object.isFrozen(stored)).toBe(true)
    expect(() => {
      ;(stored as { accessToken: string }).accessToken = 'changed-by-reader'
    }).toThrow(TypeError)
    expect(store.get()?.accessToken).toBe('at-1')
  })

  test('a listener that throws does not stop the others, and its error is rethrown asynchronously', () => {
    const queued: (() => void)[] = []
    vi.stubGlobal('queueMicrotask', (callback: () => void) => queued.push(callback))
    const store = createTokenStore()
    const failure = new Error('listener bug')
    const before = vi.fn()
    const after = vi.fn()
    store.subscribe(before)
    store.subscribe(() => {
      throw failure
    })
    store.subscribe(after)
    expect(() => store.set(tokenSet(1), 'login')).not.toThrow()
    expect(before).toHaveBeenCalledTimes(1)
    expect(after).toHaveBeenCalledTimes(1)
    expect(store.get()?.accessToken).toBe('at-1')
    expect(queued).toHaveLength(1)
    expect(() => queued[0]?.()).toThrow(failure)
  })

  test('a listener that unsubscribes while being called does not skip the others', () => {
    const store = createTokenStore()
    const calls: string[] = []
    const off = store.subscribe(() => {
      calls.push('first')
      off()
    })
    store.subscribe(() => calls.push('second'))
    store.set(tokenSet(1), 'login')
    store.set(tokenSet(2), 'refresh')
    expect(calls).toEqual(['first', 'second', 'second'])
  })
})
