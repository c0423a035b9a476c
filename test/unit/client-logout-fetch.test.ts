import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { type ClientOptions, isAuthError } from '../../src/index'
import { expectNoTokenLeaks, setPageUrl, startClient, watchConsole } from '../support/client'
import {
  APP_ORIGIN,
  auth0Server,
  CLIENT_ID,
  type FakeAuthServer,
  json,
  oidcServer,
  type RecordedRequest,
} from '../support/fakes'

beforeEach(() => {
  setPageUrl(`${APP_ORIGIN}/`)
  sessionStorage.clear()
  watchConsole()
})
afterEach(() => {
  expectNoTokenLeaks()
})

const signedIn = async (
  server: FakeAuthServer = auth0Server(),
  options: Partial<ClientOptions> = {},
) => {
  const client = startClient(server, options)
  const { tokens } = await client.signIn()
  client.changes.length = 0
  return { ...client, tokens }
}

describe('logout', () => {
  test('Auth0: revokes the refresh token, clears memory first, then navigates to /v2/logout', async () => {
    const server = auth0Server()
    const { auth, tokens, navigate, changes } = await signedIn(server)
    let tokensWhenNavigating: unknown = 'not called'
    navigate.mockImplementation(() => {
      tokensWhenNavigating = auth.getTokens()
    })
    await auth.logout({ returnTo: `${APP_ORIGIN}/bye` })

    const revocations = server.requestsTo('https://tenant.auth0.com/oauth/revoke')
    expect(revocations).toHaveLength(1)
    expect(revocations[0]?.method).toBe('POST')
    expect(Object.fromEntries(revocations[0]?.form ?? [])).toEqual({
      client_id: CLIENT_ID,
      token: tokens.refreshToken,
      token_type_hint: 'refresh_token',
    })
    expect(auth.getTokens()).toBeUndefined()
    expect(auth.isAuthenticated()).toBe(false)
    expect(changes).toEqual([[undefined, 'logout']])
    expect(tokensWhenNavigating).toBeUndefined()
    expect(navigate).toHaveBeenCalledTimes(1)
    const url = new URL(navigate.mock.calls[0]?.[0] ?? '')
    expect(url.origin + url.pathname).toBe('https://tenant.auth0.com/v2/logout')
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: CLIENT_ID,
      returnTo: `${APP_ORIGIN}/bye`,
    })
  })

  test('OIDC: the end_session_endpoint from discovery, with post_logout_redirect_uri', async () => {
    const server = oidcServer()
    const { auth, tokens, navigate } = await signedIn(server)
    await auth.logout({ returnTo: `${APP_ORIGIN}/bye` })
    expect(server.requestsTo(server.config.revocationEndpoint ?? '')[0]?.form.get('token')).toBe(
      tokens.refreshToken,
    )
    const url = new URL(navigate.mock.calls[0]?.[0] ?? '')
    expect(url.origin + url.pathname).toBe(server.config.endSessionEndpoint)
    const { state, ...rest } = Object.fromEntries(url.searchParams)
    expect(rest).toEqual({ client_id: CLIENT_ID, post_logout_redirect_uri: `${APP_ORIGIN}/bye` })
    // RP-Initiated Logout 1.0 §2: a fresh state, so servers that want one return the user.
    expect(state).toMatch(/^[\w-]{43}$/)
  })

  test('OIDC: each logout sends a new state; without returnTo there is none', async () => {
    const server = oidcServer()
    const first = await signedIn(server)
    await first.auth.logout({ returnTo: `${APP_ORIGIN}/bye` })
    const second = await signedIn(server)
    await second.auth.logout({ returnTo: `${APP_ORIGIN}/bye` })
    const third = await signedIn(server)
    await third.auth.logout()
    const stateOf = (navigate: typeof first.navigate) =>
      new URL(navigate.mock.calls[0]?.[0] ?? '').searchParams.get('state')
    expect(stateOf(first.navigate)).not.toBe(stateOf(second.navigate))
    expect(stateOf(third.navigate)).toBeNull()
  })

  test('rule 17: id_token_hint only with idTokenHint: true', async () => {
    const server = oidcServer()
    const { auth, tokens, navigate } = await signedIn(server)
    await auth.logout({ idTokenHint: true })
    expect(new URL(navigate.mock.calls[0]?.[0] ?? '').searchParams.get('id_token_hint')).toBe(
      tokens.idToken,
    )
    // The test put the ID token in a URL on purpose; do not count that as a leak.
    server.issued.delete(tokens.idToken ?? '')
  })

  test('rule 17: without idTokenHint the ID token is not in the logout URL', async () => {
    const { auth, tokens, navigate } = await signedIn(oidcServer())
    await auth.logout()
    const url = navigate.mock.calls[0]?.[0] ?? ''
    expect(url).not.toBe('')
    expect(url).not.toContain(tokens.idToken)
    expect(new URL(url).searchParams.has('id_token_hint')).toBe(false)
  })

  test.each<[string, () => Response | Promise<Response>]>([
    ['answers 503', () => new Response('', { status: 503 })],
    ['is unreachable', () => Promise.reject(new TypeError('Failed to fetch'))],
  ])('revocation that %s does not block logout', async (_, answer) => {
    const server = auth0Server()
    server.routes.set(server.config.revocationEndpoint ?? '', answer)
    const { auth, navigate } = await signedIn(server)
    await expect(auth.logout()).resolves.toBeUndefined()
    expect(server.requestsTo(server.config.revocationEndpoint ?? '')).toHaveLength(1)
    expect(auth.getTokens()).toBeUndefined()
    expect(navigate).toHaveBeenCalledTimes(1)
  })

  test('localOnly: memory cleared, subscribers told, no request, no navigation', async () => {
    const server = auth0Server()
    const { auth, navigate, changes } = await signedIn(server)
    const requestsBefore = server.requests.length
    await auth.logout({ localOnly: true })
    expect(auth.getTokens()).toBeUndefined()
    expect(changes).toEqual([[undefined, 'logout']])
    expect(server.requests).toHaveLength(requestsBefore)
    expect(navigate).not.toHaveBeenCalled()
  })

  test('no refresh token: nothing to revoke, still navigates', async () => {
    const server = auth0Server()
    server.issueRefreshTokens = false
    const { auth, navigate } = await signedIn(server)
    await auth.logout()
    expect(server.requestsTo(server.config.revocationEndpoint ?? '')).toHaveLength(0)
    expect(navigate).toHaveBeenCalledTimes(1)
  })

  test('a per-call navigate is used instead of the client one', async () => {
    const { auth, navigate } = await signedIn()
    const own = vi.fn()
    await auth.logout({ navigate: own })
    expect(own).toHaveBeenCalledWith(
      expect.stringMatching(/^https:\/\/tenant\.auth0\.com\/v2\/logout\?/),
    )
    expect(navigate).not.toHaveBeenCalled()
  })
})

describe('auth.fetch (RFC 6750 §2.1, rule 17)', () => {
  const API = `${APP_ORIGIN}/api/me`

  /** An API route that records what it got and answers with `answers` in turn (the last repeats). */
  const api = (server: FakeAuthServer, url: string, ...answers: (() => Response)[]) => {
    const calls: RecordedRequest[] = []
    server.routes.set(url, (request) => {
      calls.push(request)
      return (answers[Math.min(calls.length, answers.length) - 1] ?? (() => json({ ok: true })))()
    })
    return calls
  }

  test('adds Authorization: Bearer for the page origin and keeps method, headers and body', async () => {
    const server = auth0Server()
    const calls = api(server, API, () => json({ name: 'Ada' }))
    const { auth, tokens } = await signedIn(server)
    const response = await auth.fetch(API, {
      method: 'POST',
      headers: { 'x-app': '1', 'content-type': 'application/json' },
      body: '{"a":1}',
    })
    await expect(response.json()).resolves.toEqual({ name: 'Ada' })
    expect(calls).toHaveLength(1)
    expect(calls[0]?.headers.get('authorization')).toBe(`Bearer ${tokens.accessToken}`)
    expect(calls[0]?.headers.get('x-app')).toBe('1')
    expect(calls[0]?.method).toBe('POST')
    expect(calls[0]?.body).toBe('{"a":1}')
  })

  test('a relative URL is resolved against the page and allowed', async () => {
    const server = auth0Server()
    const calls = api(server, API)
    const { auth, tokens } = await signedIn(server)
    await auth.fetch('/api/me')
    expect(calls[0]?.headers.get('authorization')).toBe(`Bearer ${tokens.accessToken}`)
  })

  test.each([
    ['another site', 'https://evil.example.com/steal'],
    ['a look-alike host', 'https://app.example.com.evil.com/api'],
    ['the page host over http', 'http://app.example.com/api'],
    ['the page host on another port', 'https://app.example.com:8443/api'],
    ['a subdomain', 'https://api.app.example.com/x'],
  ])('rule 17: a request to %s is refused with invalid_config and never sent', async (_, url) => {
    const server = auth0Server()
    const { auth } = await signedIn(server)
    const before = server.requests.length
    await expect(auth.fetch(url)).rejects.toMatchObject({ code: 'invalid_config' })
    expect(server.requests).toHaveLength(before)
  })

  test('an origin listed in apiOrigins is allowed', async () => {
    const server = auth0Server()
    const calls = api(server, 'https://data.example.net/v1/items')
    const { auth, tokens } = await signedIn(server, { apiOrigins: ['https://data.example.net'] })
    await auth.fetch('https://data.example.net/v1/items')
    expect(calls[0]?.headers.get('authorization')).toBe(`Bearer ${tokens.accessToken}`)
  })

  test("the audience's https origin is allowed by default", async () => {
    const server = auth0Server()
    const calls = api(server, 'https://api.example.com/v1/items')
    const { auth, tokens } = await signedIn(server, { audience: 'https://api.example.com/' })
    await auth.fetch('https://api.example.com/v1/items')
    expect(calls[0]?.headers.get('authorization')).toBe(`Bearer ${tokens.accessToken}`)
  })

  test('an audience that is not an https URL adds no origin', async () => {
    const server = auth0Server()
    const { auth } = await signedIn(server, { audience: 'http://api.example.com' })
    await expect(auth.fetch('http://api.example.com/x')).rejects.toMatchObject({
      code: 'invalid_config',
    })
  })

  test('not signed in → login_required, nothing sent', async () => {
    const server = auth0Server()
    const calls = api(server, API)
    const { auth } = startClient(server)
    await expect(auth.fetch(API)).rejects.toMatchObject({ code: 'login_required' })
    expect(calls).toHaveLength(0)
  })

  test('RFC 6750 §3.1: a 401 invalid_token → one refresh, one retry; exactly 2 API calls even if the retry is 401 too', async () => {
    const server = auth0Server()
    const unauthorized = () =>
      new Response('', {
        status: 401,
        headers: {
          'www-authenticate':
            'Bearer realm="api", error="invalid_token", error_description="revoked"',
        },
      })
    const calls = api(server, API, unauthorized)
    const { auth, tokens } = await signedIn(server)
    const response = await auth.fetch(API, { method: 'PUT', body: 'payload' })
    expect(response.status).toBe(401)
    expect(calls).toHaveLength(2)
    const refreshes = server.tokenRequests.filter(
      (r) => r.form.get('grant_type') === 'refresh_token',
    )
    expect(refreshes).toHaveLength(1)
    expect(calls[0]?.headers.get('authorization')).toBe(`Bearer ${tokens.accessToken}`)
    expect(calls[1]?.headers.get('authorization')).toBe(
      `Bearer ${server.lastTokenResponse?.access_token}`,
    )
    expect(calls[1]?.method).toBe('PUT')
    expect(calls[1]?.body).toBe('payload')
  })

  test.each([
    ['CORS hides WWW-Authenticate (no header readable)', {}],
    [
      'the Bearer challenge comes after another scheme',
      { 'www-authenticate': 'DPoP realm="x", Bearer error="invalid_token"' },
    ],
    ['lower-case bearer', { 'www-authenticate': 'bearer error=invalid_token' }],
  ])('a 401 where %s → one refresh, one retry', async (_, headers) => {
    const server = auth0Server()
    const calls = api(
      server,
      API,
      () => new Response('', { status: 401, headers }),
      () => json({ ok: true }),
    )
    const { auth } = await signedIn(server)
    const response = await auth.fetch(API)
    expect(response.status).toBe(200)
    expect(calls).toHaveLength(2)
    expect(
      server.tokenRequests.filter((r) => r.form.get('grant_type') === 'refresh_token'),
    ).toHaveLength(1)
  })

  test('a 401 invalid_token then 200 returns the 200', async () => {
    const server = auth0Server()
    const calls = api(
      server,
      API,
      () =>
        new Response('', {
          status: 401,
          headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
        }),
      () => json({ ok: true }),
    )
    const { auth } = await signedIn(server)
    const response = await auth.fetch(API)
    expect(response.status).toBe(200)
    expect(calls).toHaveLength(2)
  })

  test.each([
    ['insufficient_scope', { 'www-authenticate': 'Bearer error="insufficient_scope"' }],
    [
      'another error that starts alike',
      { 'www-authenticate': 'Bearer error="invalid_token_binding"' },
    ],
    ['invalid_token in another scheme', { 'www-authenticate': 'DPoP error="invalid_token"' }],
    [
      'invalid_token in a later challenge of another scheme',
      { 'www-authenticate': 'Bearer realm="api", DPoP error="invalid_token"' },
    ],
  ])('a 401 with %s is returned as is: no refresh, no retry', async (_, headers) => {
    const server = auth0Server()
    const calls = api(server, API, () => new Response('', { status: 401, headers }))
    const { auth } = await signedIn(server)
    const response = await auth.fetch(API)
    expect(response.status).toBe(401)
    expect(calls).toHaveLength(1)
    expect(server.tokenRequests).toHaveLength(1)
  })

  test('errors from auth.fetch are AuthErrors without the token in them', async () => {
    const server = auth0Server()
    const { auth, tokens } = await signedIn(server)
    const error = await auth.fetch('https://evil.example.com/').catch((e: unknown) => e)
    expect(isAuthError(error)).toBe(true)
    expect(`${String(error)} ${JSON.stringify(error)} ${(error as Error).stack}`).not.toContain(
      tokens.accessToken,
    )
  })
})
