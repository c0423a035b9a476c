import { afterEach, describe, expect, test, vi } from 'vitest'
import {
  createClient,
  createCodeChallenge,
  createCodeVerifier,
  createRandomState,
} from '../../src/index'
import { CLIENT_ID, memoryStorage, REDIRECT_URI } from '../support/fakes'

const UNRESERVED = /^[A-Za-z0-9\-._~]+$/
const BASE64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const DRAWS = 10_000

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('code_challenge (rule 1, RFC 7636 §4.2)', () => {
  test('rule 1: RFC 7636 Appendix B test vector', async () => {
    await expect(createCodeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).resolves.toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    )
  })

  test('rule 1: the challenge of a fresh verifier is 43 base64url characters, no padding', async () => {
    const challenge = await createCodeChallenge(createCodeVerifier())
    expect(challenge).toMatch(/^[A-Za-z0-9_-]{43}$/)
  })

  test('rule 1: the challenge is a function of the verifier only', async () => {
    const verifier = createCodeVerifier()
    const other = createCodeVerifier()
    expect(await createCodeChallenge(verifier)).toBe(await createCodeChallenge(verifier))
    expect(await createCodeChallenge(verifier)).not.toBe(await createCodeChallenge(other))
  })

  test.each([
    ['empty', ''],
    ['42 characters (below RFC 7636 §4.1 minimum)', 'a'.repeat(42)],
    ['129 characters (above the maximum)', 'a'.repeat(129)],
    ['a "+" (standard base64, not base64url)', `${'a'.repeat(42)}+`],
    ['a "/"', `${'a'.repeat(42)}/`],
    ['padding "="', `${'a'.repeat(42)}=`],
    ['a space', `${'a'.repeat(42)} `],
    ['a trailing newline', `${'a'.repeat(43)}\n`],
    ['non-ASCII letters', 'é'.repeat(43)],
  ])('rule 1: a malformed verifier (%s) is refused with invalid_config', async (_, verifier) => {
    await expect(createCodeChallenge(verifier)).rejects.toMatchObject({ code: 'invalid_config' })
  })

  test.each([
    ['43 characters', 'a'.repeat(43)],
    ['128 characters', 'a'.repeat(128)],
    ['every unreserved symbol', `-._~${'a'.repeat(39)}`],
  ])('rule 1: a verifier of %s is accepted', async (_, verifier) => {
    await expect(createCodeChallenge(verifier)).resolves.toMatch(/^[A-Za-z0-9_-]{43}$/)
  })
})

describe('no crypto.subtle (rule 1, RFC 9700 §2.1.1: never plain)', () => {
  const withoutSubtle = () => {
    const realCrypto = globalThis.crypto
    vi.stubGlobal('crypto', {
      getRandomValues: (array: Uint8Array<ArrayBuffer>) => realCrypto.getRandomValues(array),
    })
    expect(globalThis.crypto.subtle).toBeUndefined()
  }

  test('rule 1: createCodeChallenge throws insecure_context', async () => {
    withoutSubtle()
    await expect(createCodeChallenge(createCodeVerifier())).rejects.toMatchObject({
      code: 'insecure_context',
    })
  })

  test('rule 1: the client falls back to nothing: no plain challenge, no transaction, no navigation', async () => {
    const storage = memoryStorage()
    const navigate = vi.fn()
    const auth = createClient({
      domain: 'tenant.auth0.com',
      clientId: CLIENT_ID,
      redirectUri: REDIRECT_URI,
      storage,
      navigate,
    })
    withoutSubtle()
    await expect(auth.login()).rejects.toMatchObject({ code: 'insecure_context' })
    await expect(auth.createAuthorizeUrl()).rejects.toMatchObject({ code: 'insecure_context' })
    expect(navigate).not.toHaveBeenCalled()
    expect(storage.length).toBe(0)
  })
})

describe.each([
  ['createCodeVerifier', createCodeVerifier],
  ['createRandomState', createRandomState],
])('%s (rules 1-3: 32 random bytes, base64url)', (_, create) => {
  const draws = Array.from({ length: DRAWS }, create)

  test('rule 1: every value is 43 characters of [A-Za-z0-9-._~]', () => {
    const bad = draws.filter((value) => value.length !== 43 || !UNRESERVED.test(value))
    expect(bad).toEqual([])
  })

  test(`rule 2: no value repeats in ${DRAWS} draws`, () => {
    expect(new Set(draws).size).toBe(DRAWS)
  })

  test('rule 3: every one of the 64 base64url characters appears', () => {
    const seen = new Set(draws.join(''))
    const missing = [...BASE64URL_ALPHABET].filter((c) => !seen.has(c))
    expect(missing).toEqual([])
    expect(seen.size).toBe(64)
  })

  test('rule 3: first characters are spread evenly (each within 50%-160% of the mean)', () => {
    const counts = new Map<string, number>()
    for (const value of draws) counts.set(value[0] ?? '', (counts.get(value[0] ?? '') ?? 0) + 1)
    const mean = DRAWS / 64
    const outliers = [...BASE64URL_ALPHABET].filter((c) => {
      const count = counts.get(c) ?? 0
      return count < mean * 0.5 || count > mean * 1.6
    })
    expect(outliers).toEqual([])
  })

  test('rule 3: the first 42 characters (full 6-bit groups) are spread evenly overall', () => {
    const counts = new Map<string, number>()
    for (const value of draws) {
      for (const c of value.slice(0, 42)) counts.set(c, (counts.get(c) ?? 0) + 1)
    }
    const mean = (DRAWS * 42) / 64
    const outliers = [...counts].filter(([, count]) => Math.abs(count - mean) > mean * 0.1)
    expect(outliers).toEqual([])
    expect(counts.size).toBe(64)
  })
})
