/**
 * What a real Chromium adds over happy-dom: its own WebCrypto, real Web Storage, real
 * history/location in the test iframe, real Fetch `Request` semantics, and real realms.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { createClient, createCodeChallenge, createCodeVerifier, isAuthError } from '../../src/index'
import { CLIENT_ID, findTokenLeaks, oidcServer } from '../support/fakes'

const START_URL = location.href
/** Where the client keeps its pending transactions: one JSON array. */
const TRANSACTIONS_KEY = `latchkey.tx1.${CLIENT_ID}`

/** Keys of the page's sessionStorage. */
const sessionKeys = () =>
  Array.from({ length: sessionStorage.length }, (_, i) => sessionStorage.key(i) ?? '')

const start = () => {
  const server = oidcServer()
  const navigated: string[] = []
  const auth = createClient({
    issuer: server.config.issuer,
    clientId: CLIENT_ID,
    redirectUri: `${location.origin}/callback`,
    fetch: server.fetch,
    navigate: (url) => {
      navigated.push(url)
    },
  })
  return { server, auth, navigated }
}

beforeEach(() => {
  sessionStorage.clear()
})
afterEach(() => {
  history.replaceState(null, '', START_URL)
  sessionStorage.clear()
})

test('the suite runs in a real, secure Chromium (not a DOM emulation)', () => {
  expect(navigator.userAgent).toMatch(/Chrome\//)
  expect(isSecureContext).toBe(true)
  expect('happyDOM' in window).toBe(false)
  expect(crypto.subtle).toBeInstanceOf(SubtleCrypto)
})

describe('PKCE with the browser’s own WebCrypto (rule 1)', () => {
  test('rule 1: RFC 7636 Appendix B vector', async () => {
    await expect(createCodeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).resolves.toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    )
  })

  test('rule 1: a fresh verifier is 43 unreserved characters and its challenge 43 base64url ones', async () => {
    const verifier = createCodeVerifier()
    expect(verifier).toMatch(/^[A-Za-z0-9\-._~]{43}$/)
    await expect(createCodeChallenge(verifier)).resolves.toMatch(/^[\w-]{43}$/)
  })
})

describe('a login in a real page', () => {
  test('createAuthorizeUrl: the transaction is in real sessionStorage and holds no token', async () => {
    const { auth, server, navigated } = start()
    const url = new URL(await auth.createAuthorizeUrl({ appState: { returnTo: '/inbox' } }))
    const state = url.searchParams.get('state') ?? ''
    expect(url.origin + url.pathname).toBe(server.config.authorizationEndpoint)
    expect(url.searchParams.get('code_challenge_method')).toBe('S256')
    expect(sessionKeys()).toEqual([TRANSACTIONS_KEY])
    const records = JSON.parse(sessionStorage.getItem(TRANSACTIONS_KEY) ?? '')
    expect(records).toHaveLength(1)
    const [record] = records
    expect(record).toMatchObject({
      state,
      redirectUri: `${location.origin}/callback`,
      appState: { returnTo: '/inbox' },
    })
    expect(await createCodeChallenge(record.codeVerifier)).toBe(
      url.searchParams.get('code_challenge'),
    )
    expect(Object.keys(record)).not.toContain('accessToken')
    expect(navigated).toEqual([])
  })

  test('handleRedirectCallback(url string): tokens in memory only, a real form POST, nothing in storage', async () => {
    const { auth, server } = start()
    const callback = server.authorize(await auth.createAuthorizeUrl())
    const { tokens } = await auth.handleRedirectCallback(callback)
    expect(tokens.accessToken).toBe(server.lastTokenResponse?.access_token)
    expect(auth.getUser()?.sub).toBe(server.sub)
    const [tokenRequest] = server.tokenRequests
    expect(tokenRequest?.headers.get('content-type')).toMatch(/^application\/x-www-form-urlencoded/)
    expect(tokenRequest?.form.get('grant_type')).toBe('authorization_code')
    expect(tokenRequest?.form.has('client_secret')).toBe(false)
    expect(findTokenLeaks(server.issued)).toEqual([])
    expect(sessionKeys().filter((key) => key.startsWith('latchkey'))).toEqual([])
  })

  test("rule 8: when the callback is the page's own URL, history.replaceState strips the response", async () => {
    const { auth, server } = start()
    const callback = new URL(server.authorize(await auth.createAuthorizeUrl()))
    // The response must arrive at the redirect URI (rule 18): move this page there first.
    const here = new URL(`${location.origin}/callback`)
    here.searchParams.set('keep', 'me')
    for (const [name, value] of callback.searchParams) here.searchParams.set(name, value)
    history.pushState({ app: 1 }, '', here.href)
    const historyLength = history.length
    expect(auth.isCallback()).toBe(true)

    const pending = auth.handleRedirectCallback()
    expect(new URL(location.href).searchParams.has('code')).toBe(false)
    await pending

    const cleaned = new URL(location.href)
    for (const name of ['code', 'state', 'iss']) expect(cleaned.searchParams.has(name)).toBe(false)
    expect(cleaned.searchParams.get('keep')).toBe('me')
    expect(history.length).toBe(historyLength)
    expect(history.state).toEqual({ app: 1 })
    expect(auth.isAuthenticated()).toBe(true)
    expect(findTokenLeaks(server.issued)).toEqual([])
    history.replaceState(null, '', START_URL)
  })
})

describe('isAuthError across realms', () => {
  test('recognises an AuthError-like error made in an iframe, where instanceof fails', () => {
    const iframe = document.createElement('iframe')
    document.body.append(iframe)
    try {
      const frame = iframe.contentWindow as unknown as {
        Function: FunctionConstructor
        Error: ErrorConstructor
      }
      const foreign: unknown = new frame.Function(`
        class AuthError extends Error {
          constructor() { super('slow [timeout]'); this.name = 'AuthError'; this.code = 'timeout' }
        }
        return new AuthError()
      `)()
      expect(foreign instanceof Error).toBe(false)
      expect(foreign instanceof frame.Error).toBe(true)
      expect(isAuthError(foreign)).toBe(true)
      expect(isAuthError(new frame.Error('plain'))).toBe(false)
    } finally {
      iframe.remove()
    }
  })
})
