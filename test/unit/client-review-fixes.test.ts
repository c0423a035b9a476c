// Regression tests for what the review of the first client found (issue "Core and add-ons"):
// each fails on the code before its fix.
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { authorizeUrl, buildAuthorizeUrl } from '../../src/authorize'
import { checkIdTokenClaims } from '../../src/id-token'
import {
  type AuthError,
  buildEndSessionUrl,
  exchangeCode,
  readTransactions,
  validateIdTokenClaims,
} from '../../src/index'
import { requestJson } from '../../src/request'
import { requestTokens } from '../../src/token-endpoint'
import { expectNoTokenLeaks, setPageUrl, startClient, watchConsole } from '../support/client'
import {
  APP_ORIGIN,
  auth0Server,
  CLIENT_ID,
  createFakeFetch,
  type FakeAuthServer,
  json,
  mintJwt,
  nowSeconds,
  oidcServer,
  REDIRECT_URI,
} from '../support/fakes'

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0)

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(T0)
  setPageUrl(`${APP_ORIGIN}/`)
  sessionStorage.clear()
  watchConsole()
})
afterEach(() => {
  expectNoTokenLeaks()
  vi.useRealTimers()
})

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: AuthError) => error,
  )
const refreshes = (server: FakeAuthServer) =>
  server.tokenRequests.filter((request) => request.form.get('grant_type') === 'refresh_token')

describe('1. isCallback() honours redirectUri', () => {
  test('another page with ?code&state is not a callback, and its address bar is left alone', () => {
    const { auth } = startClient(auth0Server())
    setPageUrl(`${APP_ORIGIN}/search?code=shop-code&state=filter`)
    expect(auth.isCallback()).toBe(false)
    expect(auth.isCallback(`${REDIRECT_URI}?code=x&state=y`)).toBe(true)
    expect(auth.isCallback(`${REDIRECT_URI}/deeper?code=x&state=y`)).toBe(false)
    expect(location.href).toBe(`${APP_ORIGIN}/search?code=shop-code&state=filter`)
  })
})

describe('2. the Retry-After window belongs to the refresh token it was given for', () => {
  test('a new login inside the window refreshes at once instead of failing with the old error', async () => {
    const server = auth0Server()
    const { auth, signIn } = startClient(server)
    await signIn()
    server.tokenRoute = () =>
      json({ error: 'temporarily_unavailable' }, { status: 503, headers: { 'retry-after': '600' } })
    await expect(auth.getAccessToken({ forceRefresh: true })).rejects.toMatchObject({
      code: 'token_error',
    })
    await expect(auth.getAccessToken({ forceRefresh: true })).rejects.toMatchObject({
      code: 'token_error',
    })
    expect(refreshes(server)).toHaveLength(1)
    await auth.logout({ localOnly: true })
    server.tokenRoute = (request) => server.issueTokens(request)
    await signIn()
    const token = await auth.getAccessToken({ forceRefresh: true })
    expect(token).toBe(server.lastTokenResponse?.access_token)
    expect(refreshes(server)).toHaveLength(2)
  })
})

describe('3. one place for the Auth0 dialect; buildEndSessionUrl is what logout uses', () => {
  test('buildEndSessionUrl: Auth0 says returnTo and takes no state; OIDC says post_logout_redirect_uri with state', () => {
    const auth0 = new URL(
      buildEndSessionUrl({
        endSessionEndpoint: 'https://tenant.auth0.com/v2/logout',
        clientId: 'abc',
        returnTo: 'https://app.example.com/',
        state: 'ignored',
        style: 'auth0',
      }),
    )
    expect(Object.fromEntries(auth0.searchParams)).toEqual({
      client_id: 'abc',
      returnTo: 'https://app.example.com/',
    })
    const oidc = new URL(
      buildEndSessionUrl({
        endSessionEndpoint: 'https://id.example.com/logout?x=1',
        clientId: 'abc',
        returnTo: 'https://app.example.com/',
        idTokenHint: 'hint',
        state: 's1',
        style: 'oidc',
      }),
    )
    expect(Object.fromEntries(oidc.searchParams)).toEqual({
      x: '1',
      client_id: 'abc',
      post_logout_redirect_uri: 'https://app.example.com/',
      id_token_hint: 'hint',
      state: 's1',
    })
    expect(
      buildEndSessionUrl({
        endSessionEndpoint: 'https://id.example.com/logout',
        clientId: 'abc',
        style: 'oidc',
        state: 's',
      }),
    ).toBe('https://id.example.com/logout?client_id=abc')
  })

  test('the client logs out of Auth0 through the same builder: returnTo, no state', async () => {
    const server = auth0Server()
    const { auth, signIn, navigate } = startClient(server)
    await signIn()
    await auth.logout({ returnTo: `${APP_ORIGIN}/bye` })
    const url = new URL(navigate.mock.calls[0]?.[0] ?? '')
    expect(url.href.split('?')[0]).toBe('https://tenant.auth0.com/v2/logout')
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: CLIENT_ID,
      returnTo: `${APP_ORIGIN}/bye`,
    })
  })
})

describe("5. requests keep the caller's headers", () => {
  test('requestJson adds accept without dropping a header the caller set', async () => {
    const fake = createFakeFetch(() => json({}))
    await requestJson(
      'https://id.example.com/x',
      { headers: { dpop: 'proof' } },
      { fetch: fake.fetch },
    )
    expect(fake.requests[0]?.headers.get('dpop')).toBe('proof')
    expect(fake.requests[0]?.headers.get('accept')).toBe('application/json')
  })
})

describe('6. the playground reads transactions through a public function', () => {
  test('readTransactions lists the pending logins of one client, as login saved them', async () => {
    const { auth, storage } = startClient(auth0Server())
    const url = new URL(await auth.createAuthorizeUrl({ appState: { returnTo: '/x' } }))
    const [transaction, ...rest] = readTransactions(storage, CLIENT_ID)
    expect(rest).toEqual([])
    expect(transaction).toMatchObject({
      state: url.searchParams.get('state'),
      appState: { returnTo: '/x' },
    })
    expect(readTransactions(storage, 'another-client')).toEqual([])
  })
})

describe('7. discovery follows redirects; the token endpoint says it refused one', () => {
  test('a 301 to the trailing-slash form (Django OAuth Toolkit) is followed and the issuer still checked', async () => {
    const server = oidcServer()
    const document = server.metadata
    const { auth } = startClient(server, {
      fetch: async (input, init) => {
        const url = String(input instanceof Request ? input.url : input)
        if (url.endsWith('/.well-known/openid-configuration')) {
          // What fetch hands back after following the 301 itself.
          expect(init?.redirect).toBe('follow')
          return json(document)
        }
        return server.fetch(input, init)
      },
    })
    const authorize = new URL(await auth.createAuthorizeUrl())
    expect(authorize.href.split('?')[0]).toBe(server.config.authorizationEndpoint)
  })
})

describe('9. a refresh token refused with a bare 4xx ends the session', () => {
  test.each([400, 401, 403])(
    '%i with an empty body → login_required, tokens cleared, told as error',
    async (status) => {
      const server = auth0Server()
      const { auth, signIn, changes } = startClient(server)
      await signIn()
      server.tokenRoute = () => new Response('', { status })
      const error = await failure(auth.getAccessToken({ forceRefresh: true }))
      expect(error?.code).toBe('login_required')
      expect(auth.isAuthenticated()).toBe(false)
      expect(changes.at(-1)).toEqual([undefined, 'error'])
    },
  )

  test.each([408, 429, 500, 503])('%i keeps the session for the next try', async (status) => {
    const server = auth0Server()
    const { auth, signIn } = startClient(server)
    await signIn()
    server.tokenRoute = () => new Response('', { status })
    const error = await failure(auth.getAccessToken({ forceRefresh: true }))
    expect(error?.code).toBe('invalid_response')
    expect(auth.isAuthenticated()).toBe(true)
  })
})

describe('12. the functions the client runs are the tested ones', () => {
  const claims = () => ({
    iss: 'https://id.example.com',
    aud: 'abc',
    sub: 'u1',
    iat: nowSeconds(),
    exp: nowSeconds() + 60,
    nonce: 'n',
  })

  test("checkIdTokenClaims (the client's) and validateIdTokenClaims agree, case by case", () => {
    const cases = [
      claims(),
      { ...claims(), iss: 'https://evil' },
      { ...claims(), aud: 'other' },
      { ...claims(), nonce: 'x' },
      { ...claims(), sub: '' },
    ]
    for (const payload of cases) {
      const token = mintJwt(payload)
      const outcome = (run: () => unknown) => {
        try {
          run()
          return 'ok'
        } catch (error) {
          return (error as AuthError).code
        }
      }
      expect(
        outcome(() => checkIdTokenClaims(token, 'https://id.example.com', 'abc', 60, 'n')),
      ).toBe(
        outcome(() =>
          validateIdTokenClaims(token, {
            issuer: 'https://id.example.com',
            clientId: 'abc',
            nonce: 'n',
          }),
        ),
      )
    }
  })

  test("authorizeUrl (the client's) builds what buildAuthorizeUrl builds", () => {
    const request = { state: 's', nonce: 'n', scope: 'openid', audience: 'https://api' }
    const sorted = (url: string) => [...new URL(url).searchParams].sort().join('&')
    expect(
      sorted(
        authorizeUrl('https://id.example.com/authorize', {
          client_id: 'abc',
          redirect_uri: REDIRECT_URI,
          ...request,
          code_challenge: 'c',
        }),
      ),
    ).toBe(
      sorted(
        buildAuthorizeUrl({
          authorizationEndpoint: 'https://id.example.com/authorize',
          clientId: 'abc',
          redirectUri: REDIRECT_URI,
          codeChallenge: 'c',
          ...request,
        }),
      ),
    )
  })

  test("requestTokens (the client's) sends what exchangeCode sends and checks the token type asked for", async () => {
    const body = { access_token: 'at', token_type: 'DPoP', expires_in: 60 }
    const fake = createFakeFetch(() => json(body))
    await expect(
      requestTokens(
        'https://id.example.com/token',
        {
          grant_type: 'authorization_code',
          client_id: 'abc',
          code: 'c',
          redirect_uri: REDIRECT_URI,
          code_verifier: 'v',
        },
        { fetch: fake.fetch },
        'DPoP',
      ),
    ).resolves.toMatchObject({ accessToken: 'at', tokenType: 'DPoP' })
    // Bearer asked, DPoP answered: refused (and the reverse, RFC 9449 §5, is the same check).
    const error = await failure(
      exchangeCode(
        {
          tokenEndpoint: 'https://id.example.com/token',
          clientId: 'abc',
          code: 'c',
          redirectUri: REDIRECT_URI,
          codeVerifier: 'v',
        },
        { fetch: fake.fetch },
      ),
    )
    expect(error?.code).toBe('invalid_response')
    expect(fake.requests[0]?.body).toBe(fake.requests[1]?.body)
  })
})
