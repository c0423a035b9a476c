/**
 * The parts of security.md's rules that the other unit files do not show through createClient:
 * each test is named after its rule, asserts the AuthError code and whether the token endpoint
 * was called. (docs/security.md maps every rule to all of its tests.)
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { isAuthError } from '../../src/index'
import { expectNoTokenLeaks, setPageUrl, startClient, watchConsole } from '../support/client'
import {
  APP_ORIGIN,
  auth0Server,
  CLIENT_ID,
  json,
  oidcServer,
  REDIRECT_URI,
} from '../support/fakes'

beforeEach(() => {
  setPageUrl(`${APP_ORIGIN}/`)
  sessionStorage.clear()
  localStorage.clear()
  watchConsole()
})
afterEach(() => {
  expectNoTokenLeaks()
})

/** The callback URL with `state` replaced (and other parameters set). */
const withParams = (callback: string, params: Record<string, string>) => {
  const url = new URL(callback)
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value)
  return url.href
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error as { code?: string } & Record<string, unknown>,
  )

describe('rule 2: fresh secrets', () => {
  test('rule 2: after a failed login the next request gets a fresh verifier, state and nonce', async () => {
    const server = auth0Server()
    server.tokenRoute = () => json({ error: 'invalid_grant' }, { status: 400 })
    const { auth, storage } = startClient(server)
    const first = await auth.createAuthorizeUrl()
    const firstVerifier = JSON.parse([...storage.items.values()][0] ?? '')[0].codeVerifier
    const error = await failure(auth.handleRedirectCallback(server.authorize(first)))
    expect(error?.code).toBe('token_error')
    expect(server.tokenRequests).toHaveLength(1)
    expect(storage.length).toBe(0)

    const second = await auth.createAuthorizeUrl()
    const before = new URL(first).searchParams
    const after = new URL(second).searchParams
    for (const name of ['state', 'nonce', 'code_challenge']) {
      expect(after.get(name)).toMatch(/^[\w-]{43}$/)
      expect(after.get(name)).not.toBe(before.get(name))
    }
    const secondVerifier = JSON.parse([...storage.items.values()][0] ?? '')[0].codeVerifier
    expect(secondVerifier).not.toBe(firstVerifier)
  })
})

describe('rule 3: state is checked before anything else', () => {
  test.each<[string, Record<string, string>]>([
    ['a wrong iss', { iss: 'https://evil.example.com/' }],
    ['error=access_denied', { error: 'access_denied' }],
    ['an https error_uri and a description', { error_description: 'x', error_uri: 'https://e/' }],
  ])(
    'rule 3: a forged state with %s → state_mismatch (not the later check), no request, the pending login kept',
    async (_, extra) => {
      const server = oidcServer()
      const { auth, storage } = startClient(server)
      await auth.createAuthorizeUrl()
      const requestsBefore = server.requests.length
      const forged = `${REDIRECT_URI}?${new URLSearchParams({
        ...(extra.error ? {} : { code: 'stolen' }),
        state: 'forged',
        ...extra,
      })}`
      const error = await failure(auth.handleRedirectCallback(forged))
      expect(error?.code).toBe('state_mismatch')
      expect(server.requests).toHaveLength(requestsBefore)
      expect(storage.length).toBe(1)
    },
  )

  test('rule 3: no login pending → missing_transaction before discovery: not a single request', async () => {
    const server = oidcServer()
    server.metadata.authorization_response_iss_parameter_supported = true
    const { auth } = startClient(server)
    const error = await failure(
      auth.handleRedirectCallback(`${REDIRECT_URI}?error=access_denied&state=s`),
    )
    expect(error?.code).toBe('missing_transaction')
    expect(server.requests).toHaveLength(0)
  })
})

describe('rule 5: state compared byte for byte, through the client', () => {
  test.each<[string, (state: string) => string]>([
    ['upper-cased', (s) => s.toUpperCase()],
    ['a trailing space', (s) => `${s} `],
    ['a trailing NUL', (s) => `${s}\u0000`],
    ['a full-width lookalike', (s) => `${s.slice(0, -1)}\uff41`],
    ['one character short', (s) => s.slice(0, -1)],
  ])('rule 5: a state with %s → state_mismatch, no token request', async (_, mangle) => {
    const server = auth0Server()
    const { auth, storage } = startClient(server)
    const callback = server.authorize(await auth.createAuthorizeUrl())
    const state = new URL(callback).searchParams.get('state') as string
    const mangled = mangle(state)
    expect(mangled).not.toBe(state)
    const error = await failure(
      auth.handleRedirectCallback(withParams(callback, { state: mangled })),
    )
    expect(error?.code).toBe('state_mismatch')
    expect(server.tokenRequests).toHaveLength(0)
    expect(storage.length).toBe(1)
  })

  test('rule 5: the same state spelled with percent-escapes decodes to the same bytes and is accepted', async () => {
    const server = auth0Server()
    const { auth } = startClient(server)
    const callback = new URL(server.authorize(await auth.createAuthorizeUrl()))
    const state = callback.searchParams.get('state') as string
    const escaped = [...state].map((c) => `%${c.charCodeAt(0).toString(16)}`).join('')
    const code = callback.searchParams.get('code') as string
    await auth.handleRedirectCallback(`${REDIRECT_URI}?code=${code}&state=${escaped}`)
    expect(server.tokenRequests).toHaveLength(1)
    expect(auth.isAuthenticated()).toBe(true)
  })
})

describe('rule 7: attacker-controlled text', () => {
  test('rule 7: error_description reaches the app as the raw text, markup and all, capped at 500; error_uri only when https', async () => {
    const server = auth0Server()
    const { auth } = startClient(server)
    const description = `<img src=x onerror="alert(document.cookie)">&amp;${'é'.repeat(600)}`
    const deny = (errorUri: string) =>
      withParams(server.deny(authorizeUrl, 'access_denied', description), {
        error_uri: errorUri,
      })
    const authorizeUrl = await auth.createAuthorizeUrl()
    const error = await failure(auth.handleRedirectCallback(deny('https://id.example.com/why')))
    expect(error).toMatchObject({
      code: 'authorization_error',
      error: 'access_denied',
      errorDescription: description.slice(0, 500),
      errorUri: 'https://id.example.com/why',
    })
    expect(isAuthError(error)).toBe(true)
    expect(error?.message).not.toContain('<img')

    const next = await auth.createAuthorizeUrl()
    const plain = withParams(server.deny(next, 'access_denied', description), {
      error_uri: 'javascript:alert(1)',
    })
    const second = await failure(auth.handleRedirectCallback(plain))
    expect(second?.code).toBe('authorization_error')
    expect(second).not.toHaveProperty('errorUri')
    expect(server.tokenRequests).toHaveLength(0)
  })

  test('rule 7: a hostile `error` value (markup, line breaks, 10 000 characters) is kept as data, not copied into the message', async () => {
    const server = auth0Server()
    const { auth } = startClient(server)
    const hostile = `access_denied\n[INFO] admin signed in <script>alert(1)</script>${'x'.repeat(10_000)}`
    const callback = server.deny(await auth.createAuthorizeUrl(), hostile)
    const error = await failure(auth.handleRedirectCallback(callback))
    expect(error?.code).toBe('authorization_error')
    expect(error?.error).toBe(hostile.slice(0, 500))
    expect(error?.message).not.toMatch(/[\n<]/)
    expect(String(error?.message).length).toBeLessThan(200)
    expect(server.tokenRequests).toHaveLength(0)
  })
})

describe('rule 8: one exchange per code', () => {
  test('rule 8: when the token request is sent, the transaction is already gone and the address bar clean', async () => {
    const server = auth0Server()
    const { auth, storage } = startClient(server)
    const callback = server.authorize(await auth.createAuthorizeUrl())
    setPageUrl(callback)
    const seen: { transactions: number; href: string }[] = []
    server.tokenRoute = (request) => {
      seen.push({ transactions: storage.length, href: location.href })
      return server.issueTokens(request)
    }
    await auth.handleRedirectCallback()
    expect(seen).toEqual([{ transactions: 0, href: REDIRECT_URI }])
  })

  test('rule 8: two handleRedirectCallback calls racing on one URL (a double-mounted app) → one token request; the other → missing_transaction', async () => {
    const server = auth0Server()
    const { auth } = startClient(server)
    const callback = server.authorize(await auth.createAuthorizeUrl())
    setPageUrl(callback)
    const results = await Promise.allSettled([
      auth.handleRedirectCallback(),
      auth.handleRedirectCallback(callback),
    ])
    expect(results[0]?.status).toBe('fulfilled')
    expect(results[1]).toMatchObject({
      status: 'rejected',
      reason: { code: 'missing_transaction' },
    })
    expect(server.tokenRequests).toHaveLength(1)
    expect(auth.isAuthenticated()).toBe(true)
  })

  test('rule 8: the used callback replayed while signed in → missing_transaction; the session is left as it was', async () => {
    const server = auth0Server()
    const { auth, changes } = startClient(server)
    const callback = server.authorize(await auth.createAuthorizeUrl())
    const { tokens } = await auth.handleRedirectCallback(callback)
    const error = await failure(auth.handleRedirectCallback(callback))
    expect(error?.code).toBe('missing_transaction')
    expect(server.tokenRequests).toHaveLength(1)
    expect(auth.getTokens()).toEqual(tokens)
    expect(changes).toEqual([[tokens, 'login']])
  })
})

describe('rule 11: how the code is sent', () => {
  test('rule 11: createClient sends the code exchange with redirect: manual (never followed), no credentials, no referrer, an abort signal', async () => {
    const server = auth0Server()
    const { signIn } = startClient(server)
    await signIn()
    expect(server.tokenRequests).toHaveLength(1)
    const [sent] = server.tokenRequests
    expect(sent?.init).toMatchObject({
      method: 'POST',
      redirect: 'manual',
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
    })
    expect(sent?.signal).toBeInstanceOf(AbortSignal)
    expect(sent?.form.has('client_secret')).toBe(false)
  })

  test.each<[string, () => Response]>([
    // What a browser's fetch gives for redirect: 'manual': an opaque answer with status 0.
    [
      'a browser (opaqueredirect)',
      () => Object.defineProperty(new Response(null), 'type', { value: 'opaqueredirect' }),
    ],
    // What other runtimes give: the 3xx itself, unfollowed.
    ['a 302 itself', () => new Response(null, { status: 302, headers: { location: '/steal' } })],
  ])(
    'rule 11: a redirect from the token endpoint, as %s → invalid_response that says so, not retried, nothing stored',
    async (_, answer) => {
      const server = auth0Server()
      server.tokenRoute = async () => answer()
      const { auth, changes } = startClient(server)
      const error = await failure(
        auth.handleRedirectCallback(server.authorize(await auth.createAuthorizeUrl())),
      )
      expect(error?.code).toBe('invalid_response')
      expect(error?.message).toMatch(/redirected/)
      expect(server.tokenRequests).toHaveLength(1)
      expect(auth.getTokens()).toBeUndefined()
      expect(changes).toEqual([])
    },
  )
})

describe('rule 12: expiry unknown is not an error', () => {
  test.each<[string, unknown]>([
    ['the string "3600"', '3600'],
    ['-1', -1],
    ['1e308', 1e308],
  ])(
    'rule 12: expires_in %s → login works, expiry unknown, the token is used without a refresh',
    async (_, expiresIn) => {
      const server = auth0Server()
      server.tokenFields = { expires_in: expiresIn }
      const { auth, signIn } = startClient(server)
      const { tokens } = await signIn()
      expect(tokens.expiresAt).toBeUndefined()
      expect(auth.isAuthenticated()).toBe(true)
      await expect(auth.getAccessToken()).resolves.toBe(tokens.accessToken)
      expect(server.tokenRequests).toHaveLength(1)
    },
  )
})

describe('rule 13: the code exchange is never retried', () => {
  test('rule 13: a 429 with Retry-After → token_error with retryAfter; one request only', async () => {
    const server = auth0Server()
    server.tokenRoute = () =>
      json({ error: 'too_many_requests' }, { status: 429, headers: { 'retry-after': '30' } })
    const { auth } = startClient(server)
    const error = await failure(
      auth.handleRedirectCallback(server.authorize(await auth.createAuthorizeUrl())),
    )
    expect(error).toMatchObject({
      code: 'token_error',
      error: 'too_many_requests',
      status: 429,
      retryAfter: 30,
    })
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(server.tokenRequests).toHaveLength(1)
  })
})

describe('rule 18: native-style redirect URIs', () => {
  test.each([
    'http://127.0.0.1:49152',
    'http://[::1]:8080/cb',
    'http://localhost:3000/cb?app=1',
    'com.example.app:/oauth2redirect',
  ])(
    'rule 18: redirect URI %s is sent byte for byte to /authorize and to the token endpoint',
    async (redirectUri) => {
      const server = auth0Server()
      const { auth } = startClient(server, { redirectUri })
      const url = await auth.createAuthorizeUrl()
      expect(new URL(url).searchParams.get('redirect_uri')).toBe(redirectUri)
      await auth.handleRedirectCallback(server.authorize(url))
      expect(server.tokenRequests[0]?.form.get('redirect_uri')).toBe(redirectUri)
      expect(server.tokenRequests[0]?.form.get('client_id')).toBe(CLIENT_ID)
    },
  )
})
