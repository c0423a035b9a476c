import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { expectNoTokenLeaks, setPageUrl, startClient, watchConsole } from '../support/client'
import {
  APP_ORIGIN,
  auth0Server,
  CLIENT_ID,
  deferred,
  type FakeAuthServer,
  json,
} from '../support/fakes'

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0)
const HOUR = 3_600_000
const LEEWAY_MS = 60_000

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

/** A signed-in client whose access token expires in one hour. */
const signedIn = async (server: FakeAuthServer = auth0Server()) => {
  const client = startClient(server)
  const { tokens } = await client.signIn()
  client.changes.length = 0
  return { ...client, tokens, server }
}

const afterExpiry = () => vi.setSystemTime(T0 + HOUR)
const refreshRequests = (server: FakeAuthServer) =>
  server.tokenRequests.filter((r) => r.form.get('grant_type') === 'refresh_token')

describe('getAccessToken', () => {
  test('a valid token is returned as is, with no request', async () => {
    const { auth, tokens, server } = await signedIn()
    const before = server.requests.length
    await expect(auth.getAccessToken()).resolves.toBe(tokens.accessToken)
    expect(server.requests).toHaveLength(before)
  })

  test('before any login → login_required, no request', async () => {
    const server = auth0Server()
    const { auth, changes } = startClient(server)
    await expect(auth.getAccessToken()).rejects.toMatchObject({ code: 'login_required' })
    expect(server.requests).toHaveLength(0)
    expect(changes).toEqual([])
  })

  test('expired with no refresh token → login_required; tokens dropped with reason expired', async () => {
    const server = auth0Server()
    server.issueRefreshTokens = false
    const { auth, changes } = await signedIn(server)
    expect(auth.isAuthenticated()).toBe(true)
    afterExpiry()
    expect(auth.isAuthenticated()).toBe(false)
    await expect(auth.getAccessToken()).rejects.toMatchObject({ code: 'login_required' })
    expect(changes).toEqual([[undefined, 'expired']])
    expect(auth.getTokens()).toBeUndefined()
    expect(refreshRequests(server)).toHaveLength(0)
  })

  test('the leeway counts: a token within leewaySeconds of expiry is refreshed, one just outside is not', async () => {
    const { auth, tokens, server } = await signedIn()
    const expiresAt = tokens.expiresAt as number
    expect(expiresAt).toBe(T0 + HOUR)
    vi.setSystemTime(expiresAt - LEEWAY_MS - 1)
    await expect(auth.getAccessToken()).resolves.toBe(tokens.accessToken)
    expect(refreshRequests(server)).toHaveLength(0)
    vi.setSystemTime(expiresAt - LEEWAY_MS)
    await expect(auth.getAccessToken()).resolves.not.toBe(tokens.accessToken)
    expect(refreshRequests(server)).toHaveLength(1)
  })
})

describe('refresh (rule 16)', () => {
  test('an expired token is refreshed with grant_type=refresh_token; subscribers hear refresh', async () => {
    const { auth, tokens, server, changes } = await signedIn()
    afterExpiry()
    const accessToken = await auth.getAccessToken()
    expect(refreshRequests(server)).toHaveLength(1)
    expect(Object.fromEntries(refreshRequests(server)[0]?.form ?? [])).toEqual({
      grant_type: 'refresh_token',
      client_id: CLIENT_ID,
      refresh_token: tokens.refreshToken,
    })
    expect(accessToken).toBe(server.lastTokenResponse?.access_token)
    expect(auth.getTokens()?.accessToken).toBe(accessToken)
    expect(auth.getTokens()?.expiresAt).toBe(T0 + 2 * HOUR)
    expect(changes).toEqual([[auth.getTokens(), 'refresh']])
  })

  test('rule 16: rotation: the newest refresh token is kept and used next time', async () => {
    const { auth, tokens, server } = await signedIn()
    afterExpiry()
    await auth.getAccessToken()
    const rotated = server.lastTokenResponse?.refresh_token
    expect(rotated).not.toBe(tokens.refreshToken)
    expect(auth.getTokens()?.refreshToken).toBe(rotated)
    vi.setSystemTime(T0 + 2 * HOUR)
    await auth.getAccessToken()
    expect(refreshRequests(server).map((r) => r.form.get('refresh_token'))).toEqual([
      tokens.refreshToken,
      rotated,
    ])
    expect(auth.isAuthenticated()).toBe(true)
  })

  test('rule 16: when the answer has no refresh token the current one is kept', async () => {
    const server = auth0Server()
    server.rotateRefreshTokens = false
    const { auth, tokens } = await signedIn(server)
    afterExpiry()
    await auth.getAccessToken()
    expect(server.lastTokenResponse).not.toHaveProperty('refresh_token')
    expect(auth.getTokens()?.refreshToken).toBe(tokens.refreshToken)
  })

  test('the ID token is kept when a refresh answer has none', async () => {
    const { auth, tokens, server } = await signedIn()
    server.tokenFields = { id_token: undefined }
    afterExpiry()
    await auth.getAccessToken()
    expect(auth.getTokens()?.idToken).toBe(tokens.idToken)
    expect(auth.getUser()?.sub).toBe(server.sub)
  })

  test('rule 16: 10 concurrent callers share exactly one refresh request', async () => {
    const { auth, server } = await signedIn()
    afterExpiry()
    const results = await Promise.all(Array.from({ length: 10 }, () => auth.getAccessToken()))
    expect(refreshRequests(server)).toHaveLength(1)
    expect(new Set(results)).toEqual(new Set([server.lastTokenResponse?.access_token]))
  })

  test('rule 16: invalid_grant wipes the tokens → login_required, reason error, no retry', async () => {
    const { auth, server, changes } = await signedIn()
    server.tokenRoute = () =>
      json({ error: 'invalid_grant', error_description: 'revoked' }, { status: 400 })
    afterExpiry()
    await expect(auth.getAccessToken()).rejects.toMatchObject({ code: 'login_required' })
    expect(auth.getTokens()).toBeUndefined()
    expect(auth.isAuthenticated()).toBe(false)
    expect(changes).toEqual([[undefined, 'error']])
    await expect(auth.getAccessToken()).rejects.toMatchObject({ code: 'login_required' })
    expect(refreshRequests(server)).toHaveLength(1)
  })

  test('rule 13: a 503 with Retry-After → token_error with retryAfter; no request inside the window, one after it', async () => {
    const { auth, server, tokens } = await signedIn()
    server.tokenRoute = () =>
      json({ error: 'temporarily_unavailable' }, { status: 503, headers: { 'retry-after': '120' } })
    afterExpiry()
    await expect(auth.getAccessToken()).rejects.toMatchObject({
      code: 'token_error',
      status: 503,
      retryAfter: 120,
    })
    expect(auth.getTokens()?.refreshToken).toBe(tokens.refreshToken)
    vi.setSystemTime(T0 + HOUR + 119_000)
    await expect(auth.getAccessToken()).rejects.toMatchObject({
      code: 'token_error',
      retryAfter: 120,
    })
    expect(refreshRequests(server)).toHaveLength(1)
    server.tokenRoute = (request) => server.issueTokens(request)
    vi.setSystemTime(T0 + HOUR + 121_000)
    const accessToken = await auth.getAccessToken()
    expect(accessToken).toBe(server.lastTokenResponse?.access_token)
    expect(refreshRequests(server)).toHaveLength(2)
  })

  test('a network error keeps the tokens, and a later call can succeed', async () => {
    const { auth, server, tokens, changes } = await signedIn()
    server.tokenRoute = () => Promise.reject(new TypeError('Failed to fetch'))
    afterExpiry()
    await expect(auth.getAccessToken()).rejects.toMatchObject({ code: 'network_error' })
    expect(auth.getTokens()).toEqual(tokens)
    expect(changes).toEqual([])
    server.tokenRoute = (request) => server.issueTokens(request)
    const accessToken = await auth.getAccessToken()
    expect(accessToken).toBe(server.lastTokenResponse?.access_token)
    expect(accessToken).not.toBe(tokens.accessToken)
  })

  test('forceRefresh refreshes a token that is still valid', async () => {
    const { auth, tokens, server } = await signedIn()
    const accessToken = await auth.getAccessToken({ forceRefresh: true })
    expect(refreshRequests(server)).toHaveLength(1)
    expect(accessToken).not.toBe(tokens.accessToken)
    expect(accessToken).toBe(server.lastTokenResponse?.access_token)
  })

  test('forceRefresh without a refresh token → login_required, the valid tokens stay', async () => {
    const server = auth0Server()
    server.issueRefreshTokens = false
    const { auth, tokens } = await signedIn(server)
    await expect(auth.getAccessToken({ forceRefresh: true })).rejects.toMatchObject({
      code: 'login_required',
    })
    expect(auth.getTokens()).toEqual(tokens)
  })

  test.each<[string, Record<string, unknown>]>([
    ['another sub', { sub: 'someone-else' }],
    ['another aud', { aud: ['client-abc', 'other'], azp: 'client-abc' }],
  ])(
    'rule 16: a refreshed ID token with %s → invalid_id_token, tokens wiped, reason error',
    async (_, claims) => {
      const { auth, server, changes } = await signedIn()
      server.idTokenClaims = claims
      afterExpiry()
      await expect(auth.getAccessToken()).rejects.toMatchObject({ code: 'invalid_id_token' })
      expect(auth.getTokens()).toBeUndefined()
      expect(changes).toEqual([[undefined, 'error']])
    },
  )

  test('rules 14, 16: a refreshed ID token from another issuer → invalid_id_token; the session is wiped (its refresh token is spent)', async () => {
    const { auth, server, changes } = await signedIn()
    server.idTokenClaims = { iss: 'https://evil.example.com/' }
    afterExpiry()
    await expect(auth.getAccessToken()).rejects.toMatchObject({ code: 'invalid_id_token' })
    expect(auth.getTokens()).toBeUndefined()
    expect(changes).toEqual([[undefined, 'error']])
  })

  test('a token that lives less than the leeway is not refreshed on every call, but at half its life', async () => {
    const server = auth0Server()
    server.tokenFields = { expires_in: 30 }
    const { auth, tokens } = await signedIn(server)
    await expect(auth.getAccessToken()).resolves.toBe(tokens.accessToken)
    vi.setSystemTime(T0 + 14_000)
    await expect(auth.getAccessToken()).resolves.toBe(tokens.accessToken)
    expect(refreshRequests(server)).toHaveLength(0)
    vi.setSystemTime(T0 + 15_000)
    await expect(auth.getAccessToken()).resolves.not.toBe(tokens.accessToken)
    expect(refreshRequests(server)).toHaveLength(1)
  })

  test('a refresh answer that arrives after logout does not bring the session back', async () => {
    const { auth, server, changes } = await signedIn()
    const gate = deferred<void>()
    server.tokenRoute = async (request) => {
      await gate.promise
      return server.issueTokens(request)
    }
    afterExpiry()
    const pending = auth.getAccessToken()
    await vi.waitFor(() => expect(refreshRequests(server)).toHaveLength(1))
    await auth.logout({ localOnly: true })
    gate.resolve()
    await expect(pending).rejects.toMatchObject({ code: 'login_required' })
    expect(auth.getTokens()).toBeUndefined()
    expect(changes).toEqual([[undefined, 'logout']])
  })
})

describe('errors (rule 17)', () => {
  /** Everything an app might log about an error, down its cause chain. */
  const printable = (error: unknown): string => {
    const parts: string[] = []
    for (let e = error; e; e = (e as { cause?: unknown }).cause) {
      parts.push(String(e), JSON.stringify(e), (e as Error).stack ?? '')
    }
    return parts.join('\n')
  }

  test.each<[string, (server: FakeAuthServer) => void]>([
    [
      'a refused refresh token',
      (server) => {
        server.tokenRoute = () => json({ error: 'invalid_grant' }, { status: 400 })
      },
    ],
    [
      'a refreshed ID token for someone else',
      (server) => {
        server.idTokenClaims = { sub: 'mallory' }
      },
    ],
    [
      'an unreachable token endpoint',
      (server) => {
        server.tokenRoute = () => Promise.reject(new TypeError('Failed to fetch'))
      },
    ],
  ])('rule 17: the error from %s holds no token, nor does its cause', async (_, breakServer) => {
    const { auth, server } = await signedIn()
    breakServer(server)
    afterExpiry()
    const error = await auth.getAccessToken().catch((e: unknown) => e)
    expect(error).toMatchObject({ name: 'AuthError' })
    const text = printable(error)
    expect([...server.issued].filter((token) => text.includes(token))).toEqual([])
  })
})

describe('state readers', () => {
  test('isAuthenticated: true with a valid token, true with an expired one and a refresh token', async () => {
    const { auth } = await signedIn()
    expect(auth.isAuthenticated()).toBe(true)
    afterExpiry()
    expect(auth.isAuthenticated()).toBe(true)
  })

  test('getUser returns the claims of the validated ID token', async () => {
    const server = auth0Server()
    server.idTokenClaims = { email: 'user@example.com' }
    const { auth } = await signedIn(server)
    expect(auth.getUser()).toMatchObject({
      sub: server.sub,
      email: 'user@example.com',
      iss: server.config.issuer,
    })
  })

  test('getTokens hands out a frozen set', async () => {
    const { auth } = await signedIn()
    expect(Object.isFrozen(auth.getTokens())).toBe(true)
  })
})
