import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { createCodeVerifier, exchangeCode, refreshTokens, revokeToken } from '../../src/index'
import { requestJson } from '../../src/request'
import { createFakeFetch, json, type Route } from '../support/fakes'

const TOKEN_ENDPOINT = 'https://id.example.com/oauth/token'
const NOW = Date.UTC(2030, 0, 1, 12, 0, 0)

const exchange = (route: Route, timeoutMs?: number) => {
  const fake = createFakeFetch(route)
  const request = {
    tokenEndpoint: TOKEN_ENDPOINT,
    clientId: 'client-abc',
    code: 'the-code',
    redirectUri: 'https://app.example.com/callback',
    codeVerifier: createCodeVerifier(),
  }
  const result = exchangeCode(request, { fetch: fake.fetch, ...(timeoutMs && { timeoutMs }) })
  return { result, requests: fake.requests, request }
}

const tokenBody = (changes: Record<string, unknown> = {}): Record<string, unknown> => ({
  access_token: 'at-1',
  token_type: 'Bearer',
  expires_in: 3600,
  ...changes,
})

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(NOW)
})
afterEach(() => {
  vi.useRealTimers()
})

describe('the token request (rule 11)', () => {
  test('rule 11: the code grant is POSTed as a form with the verifier and no client secret', async () => {
    const { result, requests, request } = exchange(() => json(tokenBody()))
    await result
    expect(requests).toHaveLength(1)
    const [sent] = requests
    expect(sent?.url).toBe(TOKEN_ENDPOINT)
    expect(sent?.method).toBe('POST')
    expect(sent?.headers.get('content-type')).toMatch(/^application\/x-www-form-urlencoded/)
    expect(sent?.init?.body).toBeInstanceOf(URLSearchParams)
    expect(Object.fromEntries(sent?.form ?? [])).toEqual({
      grant_type: 'authorization_code',
      client_id: request.clientId,
      code: request.code,
      redirect_uri: request.redirectUri,
      code_verifier: request.codeVerifier,
    })
    expect(sent?.form.has('client_secret')).toBe(false)
  })

  test('rule 11: redirects are not followed (never with the verifier), no cookies, no cache, no referrer', async () => {
    const { result, requests } = exchange(() => json(tokenBody()))
    await result
    expect(requests[0]?.init).toMatchObject({
      redirect: 'manual',
      credentials: 'omit',
      cache: 'no-store',
      referrerPolicy: 'no-referrer',
    })
    expect(requests[0]?.signal).toBeInstanceOf(AbortSignal)
  })

  test('the refresh grant sends grant_type=refresh_token, the token and no secret', async () => {
    const fake = createFakeFetch(() => json(tokenBody()))
    await refreshTokens(
      { tokenEndpoint: TOKEN_ENDPOINT, clientId: 'client-abc', refreshToken: 'rt-1' },
      { fetch: fake.fetch },
    )
    expect(Object.fromEntries(fake.requests[0]?.form ?? [])).toEqual({
      grant_type: 'refresh_token',
      client_id: 'client-abc',
      refresh_token: 'rt-1',
    })
  })

  test('the refresh grant passes a narrower scope and an audience when asked', async () => {
    const fake = createFakeFetch(() => json(tokenBody()))
    await refreshTokens(
      {
        tokenEndpoint: TOKEN_ENDPOINT,
        clientId: 'client-abc',
        refreshToken: 'rt-1',
        scope: 'read',
        audience: 'https://api.example.com',
      },
      { fetch: fake.fetch },
    )
    expect(fake.requests[0]?.form.get('scope')).toBe('read')
    expect(fake.requests[0]?.form.get('audience')).toBe('https://api.example.com')
  })

  test('an empty scope or audience is left out of the form, not sent empty', async () => {
    const fake = createFakeFetch(() => json(tokenBody()))
    await refreshTokens(
      {
        tokenEndpoint: TOKEN_ENDPOINT,
        clientId: 'client-abc',
        refreshToken: 'rt-1',
        scope: '',
        audience: '',
      },
      { fetch: fake.fetch },
    )
    expect([...(fake.requests[0]?.form.keys() ?? [])]).toEqual([
      'grant_type',
      'client_id',
      'refresh_token',
    ])
  })
})

describe('the token response (rule 12)', () => {
  test('a good response becomes a TokenSet; expiresAt from expires_in at receipt', async () => {
    const body = tokenBody({ refresh_token: 'rt-1', id_token: 'a.b.c', scope: 'openid read' })
    await expect(exchange(() => json(body)).result).resolves.toEqual({
      accessToken: body.access_token,
      tokenType: 'Bearer',
      expiresAt: NOW + (body.expires_in as number) * 1000,
      refreshToken: body.refresh_token,
      idToken: body.id_token,
      scope: body.scope,
    })
  })

  test.each(['bearer', 'BEARER', 'Bearer'])(
    'rule 12: token_type %s is accepted (case-insensitive)',
    async (tokenType) => {
      await expect(
        exchange(() => json(tokenBody({ token_type: tokenType }))).result,
      ).resolves.toMatchObject({
        tokenType: 'Bearer',
      })
    },
  )

  test.each<[string, () => Response]>([
    ['a 500 with a token body', () => json(tokenBody(), { status: 500 })],
    ['a 201 with a token body', () => json(tokenBody(), { status: 201 })],
    ['a 204', () => new Response(null, { status: 204 })],
    [
      'an HTML page',
      () => new Response('<html>login</html>', { headers: { 'content-type': 'text/html' } }),
    ],
    ['an empty body', () => new Response('')],
    ['a JSON array', () => json([tokenBody()])],
    ['JSON null', () => json(null)],
    ['a JSON string', () => json('at-1')],
    ['no access_token', () => json(tokenBody({ access_token: undefined }))],
    ['an empty access_token', () => json(tokenBody({ access_token: '' }))],
    ['a numeric access_token', () => json(tokenBody({ access_token: 42 }))],
    ['no token_type', () => json(tokenBody({ token_type: undefined }))],
    ['token_type DPoP', () => json(tokenBody({ token_type: 'DPoP' }))],
    ['token_type mac', () => json(tokenBody({ token_type: 'mac' }))],
    ['a 200 carrying an error', () => json({ error: 'invalid_grant' })],
    ['a 400 without an OAuth error', () => json({ message: 'bad' }, { status: 400 })],
  ])('rule 12: %s → invalid_response', async (_, answer) => {
    await expect(exchange(answer).result).rejects.toMatchObject({ code: 'invalid_response' })
  })

  test.each<[string, unknown]>([
    ['0', 0],
    ['negative', -3600],
    ['a numeric string', '3600'],
    ['a non-numeric string (NaN in arithmetic)', 'soon'],
    ['null', null],
    ['an object', { seconds: 3600 }],
    ['true', true],
    ['1e308 (overflows to Infinity in ms)', 1e308],
    ['missing', undefined],
  ])('rule 12: expires_in %s → expiresAt undefined (expiry unknown)', async (_, expiresIn) => {
    const tokens = await exchange(() => json(tokenBody({ expires_in: expiresIn }))).result
    expect(tokens.accessToken).toBe('at-1')
    expect(tokens.expiresAt).toBeUndefined()
    expect(tokens).not.toHaveProperty('expiresAt')
  })

  test.each([1, 0.5, 86_400])(
    'rule 12: expires_in %s (positive, finite) sets expiresAt',
    async (expiresIn) => {
      const tokens = await exchange(() => json(tokenBody({ expires_in: expiresIn }))).result
      expect(tokens.expiresAt).toBe(NOW + expiresIn * 1000)
    },
  )

  test('optional fields that are empty or not strings are left out', async () => {
    const tokens = await exchange(() =>
      json(tokenBody({ refresh_token: '', id_token: 7, scope: null })),
    ).result
    expect(Object.keys(tokens).sort()).toEqual(['accessToken', 'expiresAt', 'tokenType'])
  })
})

describe('OAuth errors (rule 13, RFC 6749 §5.2)', () => {
  test.each([
    ['invalid_request', 400],
    ['invalid_client', 401],
    ['invalid_grant', 400],
    ['unauthorized_client', 400],
    ['unsupported_grant_type', 400],
    ['invalid_scope', 400],
    ['server_error', 500],
  ])(
    'rule 13: %s (%i) → token_error with error, errorDescription, status',
    async (error, status) => {
      const description = `because ${error}`
      await expect(
        exchange(() => json({ error, error_description: description }, { status })).result,
      ).rejects.toMatchObject({ code: 'token_error', error, errorDescription: description, status })
    },
  )

  test('rule 7: the error_description is capped at 500 characters', async () => {
    const description = 'x'.repeat(2000)
    const error = await exchange(() =>
      json({ error: 'invalid_grant', error_description: description }, { status: 400 }),
    ).result.catch((e: unknown) => e)
    expect(error).toMatchObject({
      code: 'token_error',
      errorDescription: description.slice(0, 500),
    })
  })

  test('rule 13: Retry-After in seconds → retryAfter', async () => {
    await expect(
      exchange(() =>
        json(
          { error: 'temporarily_unavailable' },
          { status: 503, headers: { 'retry-after': '120' } },
        ),
      ).result,
    ).rejects.toMatchObject({ code: 'token_error', status: 503, retryAfter: 120 })
  })

  test('rule 13: Retry-After as an HTTP date → seconds from now', async () => {
    const retryAt = new Date(NOW + 90_000).toUTCString()
    await expect(
      exchange(() =>
        json({ error: 'slow_down' }, { status: 429, headers: { 'retry-after': retryAt } }),
      ).result,
    ).rejects.toMatchObject({ code: 'token_error', status: 429, retryAfter: 90 })
  })

  test.each([
    ['a date in the past', new Date(NOW - 60_000).toUTCString()],
    ['garbage', 'soon'],
    ['a negative number', '-5'],
  ])('rule 13: Retry-After that is %s is ignored', async (_, retryAfter) => {
    const error = await exchange(() =>
      json(
        { error: 'temporarily_unavailable' },
        { status: 503, headers: { 'retry-after': retryAfter } },
      ),
    ).result.catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'token_error', status: 503 })
    expect(error).not.toHaveProperty('retryAfter')
  })
})

describe('timeouts and network failures (rule 11)', () => {
  test('rule 11: a fetch that never answers and ignores the abort signal still rejects with timeout', async () => {
    vi.useRealTimers()
    const { result, requests } = exchange(() => new Promise<Response>(() => {}), 20)
    await expect(result).rejects.toMatchObject({ code: 'timeout' })
    expect(requests[0]?.signal?.aborted).toBe(true)
  })

  test('rule 11: an answer after the timeout is not read', async () => {
    vi.useRealTimers()
    let read = false
    const late = new Promise<Response>((resolve) =>
      setTimeout(() => {
        const response = json(tokenBody())
        const text = response.text.bind(response)
        response.text = () => {
          read = true
          return text()
        }
        resolve(response)
      }, 60),
    )
    const { result } = exchange(() => late, 20)
    await expect(result).rejects.toMatchObject({ code: 'timeout' })
    await late
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(read).toBe(false)
  })

  test('the timer never exceeds setTimeout’s limit: a huge timeoutMs does not fire at once', async () => {
    vi.useRealTimers()
    const request = requestJson(
      TOKEN_ENDPOINT,
      {},
      {
        fetch: createFakeFetch(
          () => new Promise((resolve) => setTimeout(() => resolve(json({})), 30)),
        ).fetch,
        timeoutMs: 2 ** 40,
      },
    )
    await expect(request).resolves.toMatchObject({ json: {} })
  })

  test.each<[string, unknown]>([
    ['a TypeError (offline, CORS, redirect refused)', new TypeError('Failed to fetch')],
    ['an AbortError', new DOMException('aborted', 'AbortError')],
    ['a string', 'boom'],
    ['undefined', undefined],
    ['null', null],
  ])('rule 11: a fetch that rejects with %s → network_error', async (_, failure) => {
    await expect(exchange(() => Promise.reject(failure)).result).rejects.toMatchObject({
      code: 'network_error',
    })
  })

  test('a fetch that throws synchronously → network_error', async () => {
    await expect(
      exchange(() => {
        throw new TypeError('Invalid URL')
      }).result,
    ).rejects.toMatchObject({ code: 'network_error' })
  })
})

describe('revocation (RFC 7009)', () => {
  test('POSTs client_id, token and token_type_hint as a form', async () => {
    const fake = createFakeFetch(() => new Response(''))
    await revokeToken(
      {
        revocationEndpoint: 'https://id.example.com/oauth/revoke',
        clientId: 'client-abc',
        token: 'rt-1',
        tokenTypeHint: 'refresh_token',
      },
      { fetch: fake.fetch },
    )
    expect(fake.requests[0]?.method).toBe('POST')
    expect(Object.fromEntries(fake.requests[0]?.form ?? [])).toEqual({
      client_id: 'client-abc',
      token: 'rt-1',
      token_type_hint: 'refresh_token',
    })
    expect(fake.requests[0]?.init).toMatchObject({ redirect: 'manual', credentials: 'omit' })
  })

  test('an answer other than 200 → token_error with status', async () => {
    const fake = createFakeFetch(() => json({ error: 'unsupported_token_type' }, { status: 400 }))
    await expect(
      revokeToken(
        { revocationEndpoint: 'https://id.example.com/oauth/revoke', clientId: 'c', token: 't' },
        { fetch: fake.fetch },
      ),
    ).rejects.toMatchObject({ code: 'token_error', status: 400 })
  })
})
