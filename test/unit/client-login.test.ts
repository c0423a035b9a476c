import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { type ClientOptions, createCodeChallenge, isAuthError } from '../../src/index'
import { expectNoTokenLeaks, setPageUrl, startClient, watchConsole } from '../support/client'
import {
  APP_ORIGIN,
  auth0Server,
  CLIENT_ID,
  deferred,
  fullStorage,
  json,
  type MemoryStorage,
  mintJwt,
  nowSeconds,
  oidcServer,
  REDIRECT_URI,
} from '../support/fakes'

const DISCOVERY = 'https://id.example.com/.well-known/openid-configuration'

beforeEach(() => {
  setPageUrl(`${APP_ORIGIN}/`)
  sessionStorage.clear()
  localStorage.clear()
  watchConsole()
})
afterEach(() => {
  expectNoTokenLeaks()
  vi.useRealTimers()
})

/** Where the client keeps its pending transactions: one JSON array. */
const TRANSACTIONS_KEY = `latchkey.tx1.${CLIENT_ID}`

/** The client's pending transactions, oldest first, read through the storage interface. */
const pendingTransactions = (storage: { getItem(k: string): string | null }) =>
  JSON.parse(storage.getItem(TRANSACTIONS_KEY) ?? '[]') as Record<string, unknown>[]

/** The one stored transaction: the only key in storage, holding a one-element array. */
const onlyTransaction = (storage: MemoryStorage) => {
  expect([...storage.items.keys()]).toEqual([TRANSACTIONS_KEY])
  const transactions = pendingTransactions(storage)
  expect(transactions).toHaveLength(1)
  return transactions[0] as Record<string, unknown>
}

describe('login → callback (design steps 1-6)', () => {
  test('the whole code flow with an Auth0 domain', async () => {
    const server = auth0Server()
    const { auth, storage, navigate, changes } = startClient(server)

    await auth.login({ appState: { returnTo: '/inbox' } })

    expect(navigate).toHaveBeenCalledTimes(1)
    const authorizeUrl = new URL(navigate.mock.calls[0]?.[0] ?? '')
    expect(authorizeUrl.origin + authorizeUrl.pathname).toBe('https://tenant.auth0.com/authorize')
    const q = Object.fromEntries(authorizeUrl.searchParams)
    expect(q).toEqual({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT_URI,
      scope: 'openid profile email',
      state: expect.stringMatching(/^[\w-]{43}$/),
      nonce: expect.stringMatching(/^[\w-]{43}$/),
      code_challenge: expect.stringMatching(/^[\w-]{43}$/),
      code_challenge_method: 'S256',
    })
    const transaction = onlyTransaction(storage)
    expect(transaction).toMatchObject({ state: q.state, nonce: q.nonce, redirectUri: REDIRECT_URI })
    expect(await createCodeChallenge(transaction.codeVerifier as string)).toBe(q.code_challenge)

    const callbackUrl = server.authorize(authorizeUrl.href)
    setPageUrl(callbackUrl)
    const result = await auth.handleRedirectCallback()

    expect(server.tokenRequests).toHaveLength(1)
    expect(Object.fromEntries(server.tokenRequests[0]?.form ?? [])).toEqual({
      grant_type: 'authorization_code',
      client_id: CLIENT_ID,
      code: new URL(callbackUrl).searchParams.get('code'),
      redirect_uri: REDIRECT_URI,
      code_verifier: transaction.codeVerifier,
    })
    const issued = server.lastTokenResponse ?? {}
    expect(result.appState).toEqual({ returnTo: '/inbox' })
    expect(result.tokens).toMatchObject({
      accessToken: issued.access_token,
      tokenType: 'Bearer',
      refreshToken: issued.refresh_token,
      idToken: issued.id_token,
      scope: issued.scope,
    })
    expect(auth.getTokens()).toEqual(result.tokens)
    expect(changes).toEqual([[result.tokens, 'login']])
    expect(storage.length).toBe(0)
    expect(location.href).toBe(REDIRECT_URI)
    expect(auth.getUser()?.sub).toBe(server.sub)
    expect(auth.isAuthenticated()).toBe(true)
    await expect(auth.getAccessToken()).resolves.toBe(issued.access_token)
  })

  test('Auth0 domain: the token request goes to https://{domain}/oauth/token', async () => {
    const server = auth0Server('login.example.org')
    const { signIn } = startClient(server)
    await signIn()
    expect(server.tokenRequests.map((r) => r.url)).toEqual([
      'https://login.example.org/oauth/token',
    ])
  })

  test('issuer with explicit endpoints: they are used and nothing is discovered', async () => {
    const server = oidcServer()
    const { auth, signIn } = startClient(server, {
      endpoints: {
        authorization: server.config.authorizationEndpoint,
        token: server.config.tokenEndpoint,
      },
    })
    const url = new URL(await auth.createAuthorizeUrl())
    expect(url.origin + url.pathname).toBe(server.config.authorizationEndpoint)
    await signIn()
    expect(server.requestsTo(DISCOVERY)).toHaveLength(0)
    expect(server.tokenRequests).toHaveLength(1)
  })

  test('per-login scope, audience and authorizeParams; nonce only with openid', async () => {
    const server = auth0Server()
    const { auth } = startClient(server, {
      audience: 'https://api.example.com',
      authorizeParams: { organization: 'org_1', prompt: 'none' },
    })
    const q = new URL(
      await auth.createAuthorizeUrl({
        scope: 'read:mail offline_access',
        audience: 'https://mail.example.com',
        authorizeParams: { prompt: 'login' },
      }),
    ).searchParams
    expect(q.get('scope')).toBe('read:mail offline_access')
    expect(q.get('audience')).toBe('https://mail.example.com')
    expect(q.get('organization')).toBe('org_1')
    expect(q.get('prompt')).toBe('login')
    expect(q.has('nonce')).toBe(false)
    const fromOptions = new URL(await auth.createAuthorizeUrl()).searchParams
    expect(fromOptions.get('audience')).toBe('https://api.example.com')
    expect(fromOptions.get('nonce')).toMatch(/^[\w-]{43}$/)
  })

  test('rule 2: every request gets a fresh verifier, state and nonce', async () => {
    const { auth, storage } = startClient(auth0Server())
    const first = new URL(await auth.createAuthorizeUrl()).searchParams
    const second = new URL(await auth.createAuthorizeUrl()).searchParams
    for (const name of ['state', 'nonce', 'code_challenge']) {
      expect(first.get(name)).not.toBe(second.get(name))
    }
    const verifiers = pendingTransactions(storage).map((t) => t.codeVerifier)
    expect(verifiers).toHaveLength(2)
    expect(new Set(verifiers).size).toBe(2)
  })

  test('two logins pending in one tab: one key holds both, and each callback spends only its own', async () => {
    const server = auth0Server()
    const { auth, storage } = startClient(server)
    const first = await auth.createAuthorizeUrl({ appState: 'first' })
    const second = await auth.createAuthorizeUrl({ appState: 'second' })
    expect([...storage.items.keys()]).toEqual([TRANSACTIONS_KEY])
    expect(pendingTransactions(storage).map((t) => t.state)).toEqual(
      [first, second].map((url) => new URL(url).searchParams.get('state')),
    )
    await expect(auth.handleRedirectCallback(server.authorize(second))).resolves.toMatchObject({
      appState: 'second',
    })
    expect(onlyTransaction(storage).state).toBe(new URL(first).searchParams.get('state'))
    await expect(auth.handleRedirectCallback(server.authorize(first))).resolves.toMatchObject({
      appState: 'first',
    })
    expect(storage.length).toBe(0)
  })

  test('rule 9: appState stays in storage, never in the URL', async () => {
    const server = auth0Server()
    const { auth } = startClient(server)
    const appState = { returnTo: '/private/secret-place', draft: 'unsaved-words' }
    const url = await auth.createAuthorizeUrl({ appState })
    expect(decodeURIComponent(url)).not.toContain('secret-place')
    expect(decodeURIComponent(url)).not.toContain('unsaved-words')
    const { appState: back } = await auth.handleRedirectCallback(server.authorize(url))
    expect(back).toEqual(appState)
  })

  test('a reserved per-login authorize parameter → invalid_config, nothing stored, no navigation', async () => {
    const { auth, storage, navigate } = startClient(auth0Server())
    await expect(auth.login({ authorizeParams: { state: 'fixed' } })).rejects.toMatchObject({
      code: 'invalid_config',
    })
    expect(storage.length).toBe(0)
    expect(navigate).not.toHaveBeenCalled()
  })

  test('storage that refuses the transaction → invalid_config and no navigation', async () => {
    const { auth, navigate } = startClient(auth0Server(), { storage: fullStorage() })
    await expect(auth.login()).rejects.toMatchObject({ code: 'invalid_config' })
    expect(navigate).not.toHaveBeenCalled()
  })

  test('login navigates with a per-call navigate when given', async () => {
    const { auth, navigate } = startClient(auth0Server())
    const own = vi.fn()
    await auth.login({ navigate: own })
    expect(own).toHaveBeenCalledWith(
      expect.stringMatching(/^https:\/\/tenant\.auth0\.com\/authorize\?/),
    )
    expect(navigate).not.toHaveBeenCalled()
  })

  test('the default storage is sessionStorage, and it never holds a token', async () => {
    const server = auth0Server()
    // No storage option: the default, sessionStorage.
    const { auth } = startClient(server, {
      storage: undefined,
    } as unknown as Partial<ClientOptions>)
    const url = await auth.createAuthorizeUrl()
    expect(sessionStorage.length).toBe(1)
    expect(pendingTransactions(sessionStorage)).toMatchObject([
      { state: new URL(url).searchParams.get('state') },
    ])
    await auth.handleRedirectCallback(server.authorize(url))
    expect(sessionStorage.length).toBe(0)
    expect(auth.isAuthenticated()).toBe(true)
  })

  test('scope without openid: no nonce, no ID token needed, no user', async () => {
    const server = auth0Server()
    const { auth } = startClient(server, { scope: 'read:mail' })
    const url = await auth.createAuthorizeUrl()
    expect(new URL(url).searchParams.has('nonce')).toBe(false)
    const { tokens } = await auth.handleRedirectCallback(server.authorize(url))
    expect(tokens.idToken).toBeUndefined()
    expect(auth.getUser()).toBeUndefined()
    expect(auth.isAuthenticated()).toBe(true)
  })

  test('rule 18: a native app with a custom-scheme redirect URI hands the callback in as a string', async () => {
    const server = auth0Server()
    const redirectUri = 'com.example.app:/callback'
    const { auth } = startClient(server, { redirectUri })
    const url = await auth.createAuthorizeUrl()
    expect(new URL(url).searchParams.get('redirect_uri')).toBe(redirectUri)
    const callback = server.authorize(url)
    expect(callback.startsWith(`${redirectUri}?`)).toBe(true)
    expect(auth.isCallback(callback)).toBe(true)
    await auth.handleRedirectCallback(callback)
    expect(server.tokenRequests[0]?.form.get('redirect_uri')).toBe(redirectUri)
    expect(location.href).toBe(`${APP_ORIGIN}/`)
  })

  test.each([
    ['another path', (u: URL) => new URL(`/elsewhere${u.search}`, u)],
    ['another host', (u: URL) => new URL(`https://evil.example.com${u.pathname}${u.search}`)],
    ['another scheme', (u: URL) => new URL(`org.evil.app:${u.pathname}${u.search}`)],
  ])(
    'rule 18: a response at %s than the redirect URI → invalid_callback, no request, the login still pending',
    async (_, move) => {
      const server = auth0Server()
      const { auth } = startClient(server)
      const callback = new URL(server.authorize(await auth.createAuthorizeUrl()))
      await expect(auth.handleRedirectCallback(move(callback).href)).rejects.toMatchObject({
        code: 'invalid_callback',
      })
      expect(server.tokenRequests).toHaveLength(0)
      await expect(auth.handleRedirectCallback(callback.href)).resolves.toMatchObject({
        tokens: { tokenType: 'Bearer' },
      })
    },
  )

  test('isCallback defaults to the page URL', () => {
    const { auth } = startClient(auth0Server())
    expect(auth.isCallback()).toBe(false)
    setPageUrl(`${REDIRECT_URI}?code=c&state=s`)
    expect(auth.isCallback()).toBe(true)
  })
})

describe('the address bar (rule 8)', () => {
  test("rule 8: the page's own callback URL is cleaned with replaceState before the first await", async () => {
    const server = auth0Server()
    const { auth } = startClient(server)
    const callback = new URL(server.authorize(await auth.createAuthorizeUrl()))
    callback.searchParams.set('keep', '1')
    callback.hash = 'section'
    setPageUrl(callback.href)
    history.replaceState({ app: 'state' }, '', callback.href)
    const replaceState = vi.spyOn(history, 'replaceState')
    const pending = auth.handleRedirectCallback()
    expect(location.href).toBe(`${REDIRECT_URI}?keep=1#section`)
    expect(replaceState).toHaveBeenCalledTimes(1)
    expect(history.state).toEqual({ app: 'state' })
    await pending
    expect(location.href).toBe(`${REDIRECT_URI}?keep=1#section`)
  })

  test('rule 8: a callback URL handed in that is not the page URL leaves history alone', async () => {
    const server = auth0Server()
    const { auth } = startClient(server)
    setPageUrl(`${APP_ORIGIN}/elsewhere?x=1`)
    const replaceState = vi.spyOn(history, 'replaceState')
    const pushState = vi.spyOn(history, 'pushState')
    await auth.handleRedirectCallback(server.authorize(await auth.createAuthorizeUrl()))
    expect(replaceState).not.toHaveBeenCalled()
    expect(pushState).not.toHaveBeenCalled()
    expect(location.href).toBe(`${APP_ORIGIN}/elsewhere?x=1`)
  })

  test('rule 8: a malformed callback on the page is cleaned too', async () => {
    const { auth } = startClient(auth0Server())
    setPageUrl(`${REDIRECT_URI}?code=a&code=b&state=s&iss=x&error_description=y`)
    await expect(auth.handleRedirectCallback()).rejects.toMatchObject({ code: 'invalid_callback' })
    expect(location.href).toBe(REDIRECT_URI)
  })

  test('rule 4: a page that is not a callback → not_a_callback and the URL is untouched', async () => {
    const { auth } = startClient(auth0Server())
    setPageUrl(`${REDIRECT_URI}?code=only`)
    await expect(auth.handleRedirectCallback()).rejects.toMatchObject({ code: 'not_a_callback' })
    expect(location.href).toBe(`${REDIRECT_URI}?code=only`)
  })
})

describe('the callback refuses, and never reaches the token endpoint (rules 3, 6, 8)', () => {
  test('rule 3: a forged state while a login is pending → state_mismatch, no request at all', async () => {
    const server = oidcServer()
    const { auth } = startClient(server)
    await auth.createAuthorizeUrl()
    const requestsBefore = server.requests.length
    await expect(
      auth.handleRedirectCallback(`${REDIRECT_URI}?code=stolen&state=forged`),
    ).rejects.toMatchObject({ code: 'state_mismatch' })
    expect(server.requests).toHaveLength(requestsBefore)
  })

  test('rule 3: a callback with no login pending → missing_transaction, no request at all', async () => {
    const server = oidcServer()
    const { auth } = startClient(server)
    await expect(
      auth.handleRedirectCallback(`${REDIRECT_URI}?code=c&state=s`),
    ).rejects.toMatchObject({
      code: 'missing_transaction',
    })
    expect(server.requests).toHaveLength(0)
  })

  test('rule 3: a reloaded or back-buttoned callback → missing_transaction, one code exchange only', async () => {
    const server = auth0Server()
    const { auth } = startClient(server)
    const callback = server.authorize(await auth.createAuthorizeUrl())
    await auth.handleRedirectCallback(callback)
    await expect(auth.handleRedirectCallback(callback)).rejects.toMatchObject({
      code: 'missing_transaction',
    })
    expect(server.tokenRequests).toHaveLength(1)
  })

  test('rule 10: a login older than transactionTtlSeconds → transaction_expired, no request', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.UTC(2030, 0, 1))
    const server = auth0Server()
    const { auth, storage } = startClient(server, { transactionTtlSeconds: 30 })
    const callback = server.authorize(await auth.createAuthorizeUrl())
    vi.setSystemTime(Date.now() + 31_000)
    await expect(auth.handleRedirectCallback(callback)).rejects.toMatchObject({
      code: 'transaction_expired',
    })
    expect(server.tokenRequests).toHaveLength(0)
    expect(storage.length).toBe(0)
  })

  test('rule 10: starting a login purges expired transactions', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.UTC(2030, 0, 1))
    const { auth, storage } = startClient(auth0Server(), { transactionTtlSeconds: 30 })
    const old = new URL(await auth.createAuthorizeUrl()).searchParams.get('state')
    vi.setSystemTime(Date.now() + 31_000)
    const fresh = new URL(await auth.createAuthorizeUrl()).searchParams.get('state')
    expect(onlyTransaction(storage).state).toBe(fresh)
    expect(fresh).not.toBe(old)
  })

  test('rule 6: iss present and wrong → issuer_mismatch, no token request, transaction spent', async () => {
    const server = auth0Server()
    const { auth, storage } = startClient(server)
    const callback = server.authorize(await auth.createAuthorizeUrl(), {
      iss: 'https://evil.example.com/',
    })
    await expect(auth.handleRedirectCallback(callback)).rejects.toMatchObject({
      code: 'issuer_mismatch',
    })
    expect(server.tokenRequests).toHaveLength(0)
    expect(storage.length).toBe(0)
  })

  test.each([
    ['without its trailing slash', 'https://tenant.auth0.com'],
    ['upper-cased', 'HTTPS://TENANT.AUTH0.COM/'],
  ])('rule 6: iss equal to the issuer only %s → issuer_mismatch', async (_, iss) => {
    const server = auth0Server()
    const { auth } = startClient(server)
    const callback = server.authorize(await auth.createAuthorizeUrl(), { iss })
    await expect(auth.handleRedirectCallback(callback)).rejects.toMatchObject({
      code: 'issuer_mismatch',
    })
    expect(server.tokenRequests).toHaveLength(0)
  })

  test('rule 6: iss equal to the issuer is accepted', async () => {
    const server = auth0Server()
    const { auth } = startClient(server)
    const callback = server.authorize(await auth.createAuthorizeUrl(), {
      iss: server.config.issuer,
    })
    await auth.handleRedirectCallback(callback)
    expect(auth.isAuthenticated()).toBe(true)
  })

  test('rule 6: iss absent while discovery says authorization_response_iss_parameter_supported → issuer_mismatch', async () => {
    const server = oidcServer()
    server.metadata.authorization_response_iss_parameter_supported = true
    const { auth } = startClient(server)
    const callback = server.authorize(await auth.createAuthorizeUrl())
    await expect(auth.handleRedirectCallback(callback)).rejects.toMatchObject({
      code: 'issuer_mismatch',
    })
    expect(server.tokenRequests).toHaveLength(0)
  })

  test('rule 6: with that metadata, the right iss is accepted', async () => {
    const server = oidcServer()
    server.metadata.authorization_response_iss_parameter_supported = true
    const { auth } = startClient(server)
    const callback = server.authorize(await auth.createAuthorizeUrl(), {
      iss: server.config.issuer,
    })
    await auth.handleRedirectCallback(callback)
    expect(auth.isAuthenticated()).toBe(true)
  })

  test('error=access_denied → authorization_error with error and errorDescription, no token request', async () => {
    const server = auth0Server()
    const { auth, storage, changes } = startClient(server)
    const callback = server.deny(
      await auth.createAuthorizeUrl(),
      'access_denied',
      'User did not consent',
    )
    const error = await auth.handleRedirectCallback(callback).catch((e: unknown) => e)
    expect(error).toMatchObject({
      code: 'authorization_error',
      error: 'access_denied',
      errorDescription: 'User did not consent',
    })
    expect(isAuthError(error)).toBe(true)
    expect(server.tokenRequests).toHaveLength(0)
    expect(storage.length).toBe(0)
    expect(changes).toEqual([])
  })
})

describe('the token response is all or nothing (rules 13, 14)', () => {
  test('rule 14: openid asked but no id_token came back → invalid_id_token, nothing stored', async () => {
    const server = auth0Server()
    server.tokenFields = { id_token: undefined }
    const { auth, changes } = startClient(server)
    const callback = server.authorize(await auth.createAuthorizeUrl())
    await expect(auth.handleRedirectCallback(callback)).rejects.toMatchObject({
      code: 'invalid_id_token',
    })
    expect(server.tokenRequests).toHaveLength(1)
    expect(auth.getTokens()).toBeUndefined()
    expect(auth.isAuthenticated()).toBe(false)
    expect(changes).toEqual([])
  })

  test.each<[string, Record<string, unknown>]>([
    ['a nonce of another request', { nonce: 'replayed-nonce' }],
    ['no nonce', { nonce: undefined }],
    ['another audience', { aud: 'other-client' }],
    ['another issuer', { iss: 'https://evil.example.com/' }],
    ['an exp in the past', { exp: nowSeconds() - 3600 }],
    ['no sub', { sub: undefined }],
  ])('rule 14: an ID token with %s → invalid_id_token, nothing stored', async (_, claims) => {
    const server = auth0Server()
    server.idTokenClaims = claims
    const { auth, changes } = startClient(server)
    const callback = server.authorize(await auth.createAuthorizeUrl())
    await expect(auth.handleRedirectCallback(callback)).rejects.toMatchObject({
      code: 'invalid_id_token',
    })
    expect(auth.getTokens()).toBeUndefined()
    expect(auth.getUser()).toBeUndefined()
    expect(changes).toEqual([])
  })

  test('rule 15: an ID token with alg none → invalid_id_token, nothing stored', async () => {
    const server = auth0Server()
    const { auth } = startClient(server)
    const url = await auth.createAuthorizeUrl()
    const nonce = new URL(url).searchParams.get('nonce')
    server.tokenFields = {
      id_token: mintJwt(
        {
          iss: server.config.issuer,
          aud: CLIENT_ID,
          sub: 'u',
          nonce,
          iat: nowSeconds(),
          exp: nowSeconds() + 60,
        },
        { alg: 'none' },
      ),
    }
    await expect(auth.handleRedirectCallback(server.authorize(url))).rejects.toMatchObject({
      code: 'invalid_id_token',
    })
    expect(auth.getTokens()).toBeUndefined()
  })

  test.each<[string, () => Response | Promise<Response>, string]>([
    ['invalid_grant', () => json({ error: 'invalid_grant' }, { status: 400 }), 'token_error'],
    [
      'a 503',
      () =>
        json(
          { error: 'temporarily_unavailable' },
          { status: 503, headers: { 'retry-after': '1' } },
        ),
      'token_error',
    ],
    ['a network failure', () => Promise.reject(new TypeError('Failed to fetch')), 'network_error'],
  ])(
    'rule 13: a code exchange that fails with %s is not retried and stores nothing',
    async (_, answer, code) => {
      const server = auth0Server()
      server.tokenRoute = answer
      const { auth, changes } = startClient(server)
      const callback = server.authorize(await auth.createAuthorizeUrl())
      await expect(auth.handleRedirectCallback(callback)).rejects.toMatchObject({ code })
      expect(server.tokenRequests).toHaveLength(1)
      expect(auth.getTokens()).toBeUndefined()
      expect(changes).toEqual([])
    },
  )

  test('rule 11: an answer after the timeout stores nothing', async () => {
    const server = auth0Server()
    const gate = deferred<void>()
    server.tokenRoute = async (request) => {
      await gate.promise
      return server.issueTokens(request)
    }
    const { auth, changes } = startClient(server, { timeoutMs: 20 })
    const callback = server.authorize(await auth.createAuthorizeUrl())
    await expect(auth.handleRedirectCallback(callback)).rejects.toMatchObject({ code: 'timeout' })
    gate.resolve()
    await vi.waitFor(() => expect(server.issued.size).toBeGreaterThan(0))
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(auth.getTokens()).toBeUndefined()
    expect(auth.isAuthenticated()).toBe(false)
    expect(changes).toEqual([])
  })
})
