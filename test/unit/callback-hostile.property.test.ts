/**
 * Property tests for rules 3, 4, 5, 7 and 8 of security.md: whatever an attacker puts in the URL
 * the browser is sent back to, latchkey either completes the one login whose state it stored or
 * throws an AuthError, never anything else, never hangs, and never calls the token endpoint
 * without the exact stored state.
 *
 * The expected outcome comes from a model of rule 4 written here (not from src): callback URLs
 * are built from known (name, value) pairs with a percent-encoder written here too, so the model
 * knows what the query means without parsing it. Raw, hostile query strings (broken
 * percent-encoding, invalid UTF-8, stray `&`, `=`, `#`) are read by the platform's URL parser for
 * the model instead, as rule 4 says latchkey must.
 *
 * Seeded: the seed is printed; set FC_SEED to replay another one.
 */
import fc from 'fast-check'
import { beforeAll, describe, expect, test } from 'vitest'
import {
  type CallbackParams,
  createClient,
  isAuthError,
  isCallbackUrl,
  parseCallbackUrl,
} from '../../src/index'
import { setPageUrl } from '../support/client'
import { APP_ORIGIN, auth0Server, CLIENT_ID, MemoryStorage, REDIRECT_URI } from '../support/fakes'

const SEED = Number(process.env.FC_SEED ?? 20_260_314)
if (!Number.isSafeInteger(SEED))
  throw new Error(`FC_SEED must be an integer: ${process.env.FC_SEED}`)
const PARSE_RUNS = 20_000
const RAW_RUNS = 10_000
const CLIENT_RUNS = 1_500
const HUGE_RUNS = 100

beforeAll(() => {
  console.info(`fast-check seed ${SEED} (replay another with FC_SEED=<n>)`)
})

const RESPONSE_NAMES = ['code', 'state', 'iss', 'error', 'error_description', 'error_uri']
const NAMES = [
  ...RESPONSE_NAMES,
  'session_state',
  '',
  'x',
  'Code',
  'STATE',
  'state ',
  ' state',
  'code[]',
  'amp;state',
  'ſtate',
  'ｓｔａｔｅ',
]
const HOSTILE_VALUES = [
  '',
  ' ',
  '+',
  '=',
  '&',
  '#',
  '%',
  '%25',
  '%00',
  '\u0000',
  '\t',
  '\n',
  '\u00a0',
  '\ufeff',
  '\u200b',
  '\ud800',
  'a\udc00b',
  'é',
  'e\u0301',
  '𝒳',
  '<img src=x onerror=alert(1)>',
  'javascript:alert(1)',
  'https://evil.example/',
  'http://evil.example/',
  'https://tenant.auth0.com/',
  'https://tenant.auth0.com',
  '&state=forged&code=forged',
]

/** Rule 4's notion of a value: an arbitrary, sometimes hostile, sometimes huge string. */
const anyValue = fc.oneof(
  { weight: 6, arbitrary: fc.string({ maxLength: 16 }) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 16 }) },
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_VALUES) },
)
const hugeValue = fc
  .tuple(fc.string({ minLength: 1, maxLength: 4 }), fc.integer({ min: 1_000, max: 12_000 }))
  .map(([chunk, times]) => chunk.repeat(times))

/** How one pair is written: over-encoded unreserved characters, lower-case hex, `+` for space. */
const encodingStyle = fc.record({
  overEncode: fc.boolean(),
  lowerHex: fc.boolean(),
  plus: fc.boolean(),
  bareName: fc.boolean(),
})
type EncodingStyle = { overEncode: boolean; lowerHex: boolean; plus: boolean; bareName: boolean }

/** A lone surrogate becomes U+FFFD, as the URL standard's UTF-8 encoding makes it. */
const wellFormed = (text: string): string =>
  text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')

const hex = (text: string, lower: boolean) => (lower ? text.toLowerCase() : text)

/** application/x-www-form-urlencoded, written here (not URLSearchParams), in several spellings. */
const encode = (text: string, style: EncodingStyle): string =>
  encodeURIComponent(wellFormed(text)).replace(/%[0-9A-F]{2}|[A-Za-z0-9._~-]/g, (match) => {
    if (match === '%20' && style.plus) return '+'
    if (match.startsWith('%')) return hex(match, style.lowerHex)
    if (!style.overEncode) return match
    return hex(`%${match.charCodeAt(0).toString(16).toUpperCase()}`, style.lowerHex)
  })

interface Pair {
  name: string
  value: string
  style: EncodingStyle
}

const writePair = ({ name, value, style }: Pair) =>
  value === '' && style.bareName
    ? encode(name, style)
    : `${encode(name, style)}=${encode(value, style)}`

/** A URL with these pairs as its query (and maybe stray `&`s and a hostile fragment). */
const writeUrl = (base: string, pairs: Pair[], noise: { amps: boolean; fragment?: string }) => {
  const parts = pairs.map(writePair)
  const query = noise.amps ? `&${parts.join('&&')}&` : parts.join('&')
  return `${base}?${query}${noise.fragment === undefined ? '' : `#${noise.fragment}`}`
}

const noise = fc.record(
  {
    amps: fc.boolean(),
    fragment: fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.constantFrom('code=x&state=y', 'state=forged', '?code=a&state=b', '#'),
    ),
  },
  { requiredKeys: ['amps'] },
)

type Expected =
  | { code: 'not_a_callback' | 'invalid_callback' }
  | { code: 'callback'; params: CallbackParams }

/**
 * The model of rule 4 (and of the caps of rule 7): the meaning of a query given as decoded
 * (name, value) pairs. Empty equals absent; a repeated code, state, iss or error, or code with
 * error, is malformed; only state and (code or error) make a callback.
 */
const expectedCallback = (pairs: [string, string][]): Expected => {
  const given = (name: string) => pairs.filter(([n, v]) => n === name && v !== '').map(([, v]) => v)
  const [state, code, iss, error] = ['state', 'code', 'iss', 'error'].map(given) as string[][]
  if (!state?.length || !(code?.length || error?.length)) return { code: 'not_a_callback' }
  if ([state, code, iss, error].some((values) => (values?.length ?? 0) > 1)) {
    return { code: 'invalid_callback' }
  }
  if (code?.length && error?.length) return { code: 'invalid_callback' }
  const params: CallbackParams = { state: state[0] as string }
  if (code?.[0]) params.code = code[0]
  if (iss?.[0]) params.iss = iss[0]
  if (error?.[0]) params.error = error[0].slice(0, 500)
  // A first-wins read, as URLSearchParams.get does; an empty one is absent.
  const description = pairs.find(([n]) => n === 'error_description')?.[1]
  if (description) params.errorDescription = description.slice(0, 500)
  const errorUri = pairs.find(([n]) => n === 'error_uri')?.[1]
  if (errorUri?.startsWith('https://')) params.errorUri = errorUri
  return { code: 'callback', params }
}

/** What latchkey does with a URL, as data: the params, the AuthError code, or the odd failure. */
const actualCallback = (
  url: string | URL,
): Expected | { code: 'not an AuthError'; error: unknown } => {
  try {
    return { code: 'callback', params: { ...parseCallbackUrl(url) } }
  } catch (error) {
    if (
      isAuthError(error) &&
      (error.code === 'not_a_callback' || error.code === 'invalid_callback')
    ) {
      return { code: error.code }
    }
    return { code: 'not an AuthError', error }
  }
}

const BASES = [
  REDIRECT_URI,
  `${REDIRECT_URI}/`,
  'com.example.app:/callback',
  'http://127.0.0.1:8080/cb',
  'http://[::1]:8080/cb',
]

describe('parseCallbackUrl and isCallbackUrl against a model of rule 4 (property)', () => {
  const pair = fc.record({
    name: fc.oneof(
      { weight: 5, arbitrary: fc.constantFrom(...NAMES) },
      fc.string({ maxLength: 6 }),
    ),
    value: anyValue,
    style: encodingStyle,
  })

  test(`rules 4, 5, 7: ${PARSE_RUNS} callback URLs built from known pairs (repeats, empties, percent-encoding, Unicode, fragments) are read exactly as the model says`, () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...BASES),
        fc.array(pair, { maxLength: 8 }),
        noise,
        fc.boolean(),
        (base, pairs, extra, asObject) => {
          const href = writeUrl(base, pairs, extra)
          const decoded = pairs.map(({ name, value }): [string, string] => [
            wellFormed(name),
            wellFormed(value),
          ])
          const expected = expectedCallback(decoded)
          expect(actualCallback(asObject ? new URL(href) : href)).toEqual(expected)
          expect(isCallbackUrl(href)).toBe(expected.code !== 'not_a_callback')
        },
      ),
      { seed: SEED, numRuns: PARSE_RUNS },
    )
  })

  test(`rules 4, 7: ${HUGE_RUNS} callbacks with huge values (up to 48 000 characters each) are read and capped`, () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...RESPONSE_NAMES), { minLength: 1, maxLength: 6 }),
        fc.array(hugeValue, { minLength: 6, maxLength: 6 }),
        encodingStyle,
        (names, values, style) => {
          const pairs = names.map((name, i) => ({ name, value: values[i] as string, style }))
          const href = writeUrl(REDIRECT_URI, pairs, { amps: false })
          const expected = expectedCallback(pairs.map((p) => [p.name, wellFormed(p.value)]))
          const actual = actualCallback(href)
          expect(actual).toEqual(expected)
          if (actual.code === 'callback') {
            expect(actual.params.errorDescription?.length ?? 0).toBeLessThanOrEqual(500)
            expect(actual.params.error?.length ?? 0).toBeLessThanOrEqual(500)
          }
        },
      ),
      { seed: SEED, numRuns: HUGE_RUNS },
    )
  })

  const CHUNKS = [
    'code',
    'state',
    'iss',
    'error',
    'error_description',
    '=',
    '&',
    '#',
    '?',
    '%',
    '%2',
    '%zz',
    '%00',
    '%C3%28',
    '%ED%A0%80',
    '%F0%9F',
    '%26',
    '%3D',
    '%23',
    '+',
    ' ',
    '\t',
    '\n',
    '\r',
    '\u0000',
    '\ud800',
    'é',
    '𝒳',
    'x',
    'abc',
    '/',
    '\\',
    ';',
  ]
  const rawQuery = fc.array(fc.constantFrom(...CHUNKS), { maxLength: 30 }).map((c) => c.join(''))
  const anyInput = fc.oneof(
    {
      weight: 6,
      arbitrary: fc.tuple(fc.constantFrom(...BASES), rawQuery).map(([b, q]) => `${b}?${q}`),
    },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.webUrl({ withQueryParameters: true, withFragments: true }) },
    { weight: 1, arbitrary: rawQuery },
  )

  test(`rules 4, 5: ${RAW_RUNS} raw, broken query strings (bad escapes, invalid UTF-8, stray & = #) or non-URLs: the result is the model's reading of what the URL parser decodes, or an AuthError`, () => {
    fc.assert(
      fc.property(anyInput, (input) => {
        let pairs: [string, string][] | undefined
        try {
          pairs = [...new URL(input).searchParams]
        } catch {}
        const expected: Expected = pairs ? expectedCallback(pairs) : { code: 'not_a_callback' }
        expect(actualCallback(input)).toEqual(expected)
        expect(isCallbackUrl(input)).toBe(expected.code !== 'not_a_callback')
      }),
      { seed: SEED, numRuns: RAW_RUNS },
    )
  })
})

describe('handleRedirectCallback with a fake token endpoint (property)', () => {
  const ISSUER = 'https://tenant.auth0.com/'
  /** A value in terms of the login in progress, filled in per run. */
  const valueSpec = fc.oneof(
    {
      weight: 6,
      arbitrary: fc.constantFrom(
        'STATE',
        'STATE_UPPER',
        'STATE_SPACE',
        'STATE_PREFIX',
        'STATE_ENCODED_PLUS',
        'STATE_NFKC',
        'CODE',
        'OTHER_CODE',
        'ISSUER',
        'ISSUER_NO_SLASH',
        'EVIL_ISSUER',
      ),
    },
    { weight: 4, arbitrary: anyValue },
  )
  const extraPair = fc.record({
    name: fc.oneof(
      { weight: 1, arbitrary: fc.constantFrom('code', 'state', 'iss', 'error') },
      {
        weight: 3,
        arbitrary: fc.constantFrom('error_description', 'error_uri', 'session_state', 'x', 'State'),
      },
    ),
    value: valueSpec,
    style: encodingStyle,
  })
  /** The code and state the server sent, most often intact, sometimes swapped or dropped. */
  const responsePair = (name: string, intact: string, others: string[]) =>
    fc.record({
      name: fc.constant(name),
      value: fc.oneof({ weight: 5, arbitrary: fc.constant(intact) }, fc.constantFrom(...others)),
      style: encodingStyle,
    })
  const response = fc.tuple(
    responsePair('code', 'CODE', ['OTHER_CODE', 'ABSENT']),
    responsePair('state', 'STATE', [
      'STATE_UPPER',
      'STATE_SPACE',
      'STATE_PREFIX',
      'STATE_ENCODED_PLUS',
      'STATE_NFKC',
      'ABSENT',
    ]),
  )

  test(`rules 3, 4, 5, 8: ${CLIENT_RUNS} hostile variations of a real callback complete only for the exact stored state; otherwise an AuthError, with no token request unless the state matched`, async () => {
    const server = auth0Server()
    await fc.assert(
      fc.asyncProperty(
        response,
        fc.array(fc.tuple(fc.nat(), extraPair), { maxLength: 4 }),
        noise,
        fc.boolean(),
        async (sent, inserts, extra, onPage) => {
          const storage = new MemoryStorage()
          const auth = createClient({
            domain: 'tenant.auth0.com',
            clientId: CLIENT_ID,
            redirectUri: REDIRECT_URI,
            storage,
            fetch: server.fetch,
            navigate: () => {},
          })
          const authorizeUrl = await auth.createAuthorizeUrl()
          const honest = new URL(server.authorize(authorizeUrl))
          const state = honest.searchParams.get('state') as string
          const code = honest.searchParams.get('code') as string
          const codeVerifier = JSON.parse([...storage.items.values()][0] as string)[0].codeVerifier
          const specs = new Map([
            ['STATE', state],
            ['STATE_UPPER', state.toUpperCase()],
            ['STATE_SPACE', `${state} `],
            ['STATE_PREFIX', state.slice(0, -1)],
            ['STATE_ENCODED_PLUS', state.replace(/-/g, '+')],
            ['STATE_NFKC', state.replace(/a/g, 'ａ')],
            ['CODE', code],
            ['OTHER_CODE', `${code}x`],
            ['ISSUER', ISSUER],
            ['ISSUER_NO_SLASH', ISSUER.slice(0, -1)],
            ['EVIL_ISSUER', 'https://evil.example/'],
          ])
          const fill = (spec: string): string => specs.get(spec) ?? spec
          const pairs: Pair[] = sent
            .filter((p) => p.value !== 'ABSENT')
            .map((p) => ({ ...p, value: fill(p.value) }))
          for (const [at, p] of inserts) {
            pairs.splice(at % (pairs.length + 1), 0, { ...p, value: fill(p.value) })
          }
          const href = writeUrl(REDIRECT_URI, pairs, extra)
          const model = expectedCallback(pairs.map((p) => [p.name, wellFormed(p.value)]))
          const tokenRequestsBefore = server.tokenRequests.length

          if (onPage) setPageUrl(href)
          const outcome = await (onPage
            ? auth.handleRedirectCallback()
            : auth.handleRedirectCallback(href)
          ).then(
            () => 'completed',
            (error: unknown) => (isAuthError(error) ? error.code : error),
          )
          const tokenRequests = server.tokenRequests.slice(tokenRequestsBefore)

          // What must have happened, from the model alone.
          let expected: string
          if (model.code !== 'callback') expected = model.code
          else if (model.params.state !== state) expected = 'state_mismatch'
          else if (model.params.iss !== undefined && model.params.iss !== ISSUER) {
            expected = 'issuer_mismatch'
          } else if (model.params.error) expected = 'authorization_error'
          else if (model.params.code !== code) expected = 'token_error'
          else expected = 'completed'
          expect(outcome).toBe(expected)

          // Only the exact stored state reaches the token endpoint: once, with its verifier.
          const stateMatched = model.code === 'callback' && model.params.state === state
          const exchanged = ['token_error', 'completed'].includes(expected)
          expect(tokenRequests).toHaveLength(exchanged ? 1 : 0)
          if (exchanged) expect(tokenRequests[0]?.form.get('code_verifier')).toBe(codeVerifier)
          // The transaction is spent exactly when the state matched (rules 3, 8).
          expect(storage.length).toBe(stateMatched ? 0 : 1)
          expect(auth.isAuthenticated()).toBe(expected === 'completed')
          // On the page, a callback is stripped from the address bar, anything else left as is.
          if (onPage) {
            if (model.code === 'not_a_callback') expect(location.href).toBe(new URL(href).href)
            else {
              const query = new URL(location.href).searchParams
              for (const name of RESPONSE_NAMES) expect(query.has(name)).toBe(false)
            }
            setPageUrl(`${APP_ORIGIN}/`)
          }
        },
      ),
      { seed: SEED, numRuns: CLIENT_RUNS, timeout: 2_000 },
    )
  })
})
