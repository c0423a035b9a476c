import fc from 'fast-check'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { isAuthError } from '../../src/index'
import { setPageUrl, startClient } from '../support/client'
import { APP_ORIGIN, auth0Server, REDIRECT_URI } from '../support/fakes'

beforeEach(() => setPageUrl(`${APP_ORIGIN}/`))
afterEach(() => sessionStorage.clear())

const NAMES = [
  'code',
  'state',
  'iss',
  'error',
  'error_description',
  'error_uri',
  'session_state',
  'x',
  '',
]
const value = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('', ' ', '%00', '\u0000', '&state=', '#', 'https://tenant.auth0.com/', '\ud800'),
)
/** A redirect-URI URL whose query is any mix of response parameters, repeated, empty or hostile. */
const hostileCallback = fc
  .record({
    pairs: fc.array(fc.tuple(fc.constantFrom(...NAMES), value), { maxLength: 8 }),
    fragment: fc.option(fc.string({ maxLength: 12 }), { nil: undefined }),
  })
  .map(({ pairs, fragment }) => {
    const url = new URL(REDIRECT_URI)
    for (const [name, v] of pairs) url.searchParams.append(name, v)
    if (fragment !== undefined) url.hash = fragment
    return url.href
  })
const anyInput = fc.oneof(
  hostileCallback,
  fc.string({ maxLength: 40 }),
  fc.webUrl({ withQueryParameters: true }),
)

test('rules 3, 4: hostile callback URLs only ever fail with an AuthError and never reach the token endpoint (property)', async () => {
  const server = auth0Server()
  const { auth, changes } = startClient(server)
  await auth.createAuthorizeUrl()
  await fc.assert(
    fc.asyncProperty(anyInput, async (url) => {
      const outcome = await auth.handleRedirectCallback(url).then(
        () => 'resolved',
        (error: unknown) => (isAuthError(error) ? 'auth-error' : error),
      )
      expect(outcome).toBe('auth-error')
      expect(server.tokenRequests).toHaveLength(0)
    }),
    { numRuns: 300 },
  )
  expect(changes).toEqual([])
})
