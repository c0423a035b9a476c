// DPoP (RFC 9449) at the local authorization server and its protected API, seen from Node: the
// client side (proofs) is played by test/support/dpop.mjs, logins by test/support/node-login.mjs.
import { createHash } from 'node:crypto'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startAuthServer } from '../../server/auth-server.mjs'
import { createDpopKey, dpopProof } from '../support/dpop.mjs'
import {
  exchangeFromNode,
  loginFromNode,
  postForm,
  refreshFromNode,
} from '../support/node-login.mjs'

const APP_ORIGIN = 'http://localhost:5173'
const REDIRECT_URI = `${APP_ORIGIN}/callback`

/** @type {import('../../server/auth-server.mjs').AuthServer} */
let server
let tokenUrl = ''
let apiUrl = ''
const key = createDpopKey()
const otherKey = createDpopKey()

beforeAll(async () => {
  server = await startAuthServer({ port: 0, quiet: true, redirectUris: [REDIRECT_URI] })
  tokenUrl = `${server.issuer}/oauth/token`
  apiUrl = `${server.issuer}/api/messages`
})
afterAll(() => server?.close())
beforeEach(() => server.stats.reset())
afterEach(() => {
  server.settings.dpopNonce = false
})

/** @param {string} jwt */
const claimsOf = (jwt) =>
  JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8'))

/** @param {Record<string, string>} [params] */
const login = (params) => loginFromNode(server, { redirectUri: REDIRECT_URI, params })

/** A proof for the token endpoint. */
const tokenProof = (k = key, extra = {}) => dpopProof(k, { htm: 'POST', htu: tokenUrl, ...extra })

/** Logs in and exchanges the code with a proof of `key`: DPoP-bound tokens. */
async function dpopTokens() {
  const answer = await exchangeFromNode(server, await login(), { dpop: tokenProof() })
  expect(answer.status).toBe(200)
  return answer.body
}

/**
 * GET the API.
 *
 * @param {Record<string, string>} headers
 */
async function callApi(headers) {
  const response = await fetch(apiUrl, { headers })
  return {
    status: response.status,
    challenge: response.headers.get('www-authenticate'),
    nonce: response.headers.get('dpop-nonce'),
    body: await response.json(),
  }
}

/**
 * @param {string} accessToken
 * @param {Parameters<typeof dpopProof>[1] extends infer C ? Partial<C> : never} [claims]
 */
const apiProof = (accessToken, claims = {}) =>
  dpopProof(key, {
    htm: 'GET',
    htu: apiUrl,
    accessToken,
    ...claims,
  })

describe('DPoP at the token endpoint', () => {
  it('keeps giving Bearer tokens to a client that sends no proof', async () => {
    const answer = await exchangeFromNode(server, await login())
    expect(answer.status).toBe(200)
    expect(answer.body.token_type).toBe('Bearer')
    expect(claimsOf(answer.body.access_token).cnf).toBeUndefined()
    expect(answer.headers.get('dpop-nonce')).toBeNull()
    const api = await callApi({ Authorization: `Bearer ${answer.body.access_token}` })
    expect(api).toMatchObject({ status: 200, body: { sub: 'alice', scheme: 'Bearer' } })
    expect(server.stats.api).toMatchObject({ ok: 1, bearer: 1, dpop: 0 })
  })

  it('binds the tokens to the proof key, rotates the refresh token, and revokes the grant on reuse', async () => {
    const exchanged = await exchangeFromNode(server, await login(), { dpop: tokenProof() })
    expect(exchanged.status).toBe(200)
    // RFC 9449 §5: token_type DPoP; §6.1: the access token carries the key's thumbprint.
    expect(exchanged.body.token_type).toBe('DPoP')
    expect(claimsOf(exchanged.body.access_token).cnf).toEqual({ jkt: key.jkt })
    // With a nonce secret, oidc-provider offers a nonce even while it does not require one.
    expect(exchanged.headers.get('dpop-nonce')).toMatch(/^[\w-]{20,}$/)
    const first = exchanged.body.refresh_token
    expect(first).toEqual(expect.any(String))

    // The refresh token is bound too: without the key, or with another, it is refused, and
    // neither attempt costs the session anything.
    const noProof = await refreshFromNode(server, first)
    expect(noProof).toMatchObject({ status: 400, body: { error: 'invalid_grant' } })
    const wrongKey = await refreshFromNode(server, first, { dpop: tokenProof(otherKey) })
    expect(wrongKey).toMatchObject({ status: 400, body: { error: 'invalid_grant' } })

    const refreshed = await refreshFromNode(server, first, { dpop: tokenProof() })
    expect(refreshed.status).toBe(200)
    expect(refreshed.body.token_type).toBe('DPoP')
    // Rotated at once (oidc-provider's default would keep a DPoP-bound one until 70 % of its life).
    expect(refreshed.body.refresh_token).toEqual(expect.any(String))
    expect(refreshed.body.refresh_token).not.toBe(first)
    expect(server.stats.grantRevocations).toEqual([])
    expect(server.stats.tokenRequestsByGrant).toEqual({ authorization_code: 1, refresh_token: 3 })
    expect(server.stats.tokenErrorDetails.map((e) => e.detail)).toEqual([
      'failed jkt verification',
      'failed jkt verification',
    ])

    // Replaying the rotated-out token, even with the right key, revokes the whole grant.
    const replay = await refreshFromNode(server, first, { dpop: tokenProof() })
    expect(replay).toMatchObject({ status: 400, body: { error: 'invalid_grant' } })
    expect(server.stats.refreshTokenReuse).toBe(1)
    expect(server.stats.grantRevocations).toEqual([{ grantId: expect.any(String), route: 'token' }])
    const afterReplay = await refreshFromNode(server, refreshed.body.refresh_token, {
      dpop: tokenProof(),
    })
    expect(afterReplay).toMatchObject({ status: 400, body: { error: 'invalid_grant' } })
  })

  it('honours dpop_jkt on /authorize: the code is spent only with that key', async () => {
    const params = { dpop_jkt: key.jkt }
    // A failed exchange still spends the code (oidc-provider consumes it before the DPoP
    // check), so each attempt has its own login.
    const withoutProof = await exchangeFromNode(server, await login(params))
    expect(withoutProof).toMatchObject({ status: 400, body: { error: 'invalid_grant' } })
    const otherProof = await exchangeFromNode(server, await login(params), {
      dpop: tokenProof(otherKey),
    })
    expect(otherProof).toMatchObject({ status: 400, body: { error: 'invalid_grant' } })
    const rightProof = await exchangeFromNode(server, await login(params), { dpop: tokenProof() })
    expect(rightProof).toMatchObject({ status: 200, body: { token_type: 'DPoP' } })
    expect(server.stats.tokenErrorDetails.map((e) => e.detail)).toEqual([
      'missing DPoP proof JWT',
      'DPoP proof key thumbprint does not match dpop_jkt',
    ])
  })

  it('with the nonce switch on, challenges a proof without a nonce once (400 use_dpop_nonce)', async () => {
    expect(() => {
      // @ts-expect-error a switch is a boolean
      server.settings.dpopNonce = 'yes'
    }).toThrow(/dpopNonce must be a boolean/)
    server.settings.dpopNonce = true
    const code = await login()
    const challenged = await exchangeFromNode(server, code, { dpop: tokenProof() })
    expect(challenged.status).toBe(400)
    expect(challenged.body.error).toBe('use_dpop_nonce')
    const nonce = challenged.headers.get('dpop-nonce')
    expect(nonce).toMatch(/^[\w-]{20,}$/)
    // The challenge did not spend the code: the retry with the nonce succeeds.
    const retried = await exchangeFromNode(server, code, { dpop: tokenProof(key, { nonce }) })
    expect(retried).toMatchObject({ status: 200, body: { token_type: 'DPoP' } })
    // The same nonce is still good for the next request (oidc-provider's nonces last minutes).
    const refreshed = await refreshFromNode(server, retried.body.refresh_token, {
      dpop: tokenProof(key, { nonce: /** @type {string} */ (nonce) }),
    })
    expect(refreshed.status).toBe(200)
    const forged = await refreshFromNode(server, refreshed.body.refresh_token, {
      dpop: tokenProof(key, { nonce: 'made-up-nonce' }),
    })
    expect(forged).toMatchObject({ status: 400, body: { error: 'use_dpop_nonce' } })
    expect(server.stats.tokenErrors.map((e) => e.error)).toEqual([
      'use_dpop_nonce',
      'use_dpop_nonce',
    ])
    // Nonce challenges are not refusals of the refresh token.
    expect(server.stats.rejectedRefreshTokens).toEqual([])
    expect(server.stats.tokenRequestsByGrant).toEqual({ authorization_code: 2, refresh_token: 2 })
  })

  it('lets the app origin send DPoP and read DPoP-Nonce and WWW-Authenticate (CORS)', async () => {
    for (const path of ['/oauth/token', '/oauth/revoke']) {
      const preflight = await fetch(`${server.issuer}${path}`, {
        method: 'OPTIONS',
        headers: {
          Origin: APP_ORIGIN,
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'dpop',
        },
      })
      expect(preflight.status, path).toBe(204)
      expect(preflight.headers.get('access-control-allow-origin'), path).toBe(APP_ORIGIN)
      expect(preflight.headers.get('access-control-allow-headers'), path).toMatch(/\bdpop\b/i)
    }
    const token = await exchangeFromNode(server, await login(), {
      dpop: tokenProof(),
      origin: APP_ORIGIN,
    })
    expect(token.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN)
    const tokenExposed = token.headers.get('access-control-expose-headers')?.toLowerCase()
    expect(tokenExposed).toContain('dpop-nonce')
    expect(tokenExposed).toContain('www-authenticate')
    const revoked = await postForm(
      `${server.issuer}/oauth/revoke`,
      { client_id: server.clientId, token: token.body.refresh_token },
      { origin: APP_ORIGIN },
    )
    expect(revoked.status).toBe(200)
    const revokeExposed = revoked.headers.get('access-control-expose-headers')?.toLowerCase()
    expect(revokeExposed).toContain('dpop-nonce')
    expect(revokeExposed).toContain('www-authenticate')
    // Another origin gets nothing to read.
    const foreign = await postForm(
      `${server.issuer}/oauth/revoke`,
      { client_id: server.clientId, token: 'x' },
      { origin: 'http://localhost:6666' },
    )
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull()
  })
})

describe('the protected API with DPoP-bound tokens', () => {
  /** @type {string} */
  let accessToken

  beforeAll(async () => {
    accessToken = (await dpopTokens()).access_token
  })

  it('answers a DPoP-bound token sent with the DPoP scheme and a good proof', async () => {
    const api = await callApi({
      Authorization: `DPoP ${accessToken}`,
      DPoP: apiProof(accessToken),
    })
    expect(api).toMatchObject({ status: 200, body: { sub: 'alice', scheme: 'DPoP' } })
    expect(api.nonce).toBeNull()
    // The query is not part of htu (RFC 9449 §4.2): a proof for the bare URL fits.
    const withQuery = await fetch(`${apiUrl}?page=2`, {
      headers: { Authorization: `DPoP ${accessToken}`, DPoP: apiProof(accessToken) },
    })
    expect(withQuery.status).toBe(200)
    expect(server.stats.api).toMatchObject({ ok: 2, unauthorized: 0, dpop: 2, bearer: 0 })
  })

  it('refuses a DPoP-bound token sent as Bearer', async () => {
    const api = await callApi({ Authorization: `Bearer ${accessToken}` })
    expect(api.status).toBe(401)
    expect(api.challenge).toMatch(/^DPoP realm="latchkey-api", algs="ES256", error="invalid_token"/)
    expect(api.body.error_description).toMatch(/DPoP-bound/)
    expect(server.stats.api).toMatchObject({ ok: 0, unauthorized: 1, bearer: 1 })
  })

  it('refuses an unbound token sent as DPoP', async () => {
    const bearer = (await exchangeFromNode(server, await login())).body.access_token
    const api = await callApi({ Authorization: `DPoP ${bearer}`, DPoP: apiProof(bearer) })
    expect(api).toMatchObject({ status: 401, body: { error: 'invalid_token' } })
  })

  const now = () => Math.floor(Date.now() / 1000)
  it.each([
    ['no proof', () => undefined, 'invalid_dpop_proof', /exactly one/],
    [
      'a proof with typ JWT',
      (at) => apiProof(at, { header: { typ: 'JWT' } }),
      'invalid_dpop_proof',
      /typ/,
    ],
    ['a proof for POST', (at) => apiProof(at, { htm: 'POST' }), 'invalid_dpop_proof', /htm/],
    [
      'a proof for another URL',
      (at) => apiProof(at, { htu: `${apiUrl}/x` }),
      'invalid_dpop_proof',
      /htu/,
    ],
    [
      'a proof two minutes old',
      (at) => apiProof(at, { payload: { iat: now() - 120 } }),
      'invalid_dpop_proof',
      /iat/,
    ],
    ['a proof for another access token', (at) => apiProof(`${at}x`), 'invalid_dpop_proof', /ath/],
    [
      'a proof without ath',
      (at) => apiProof(at, { payload: { ath: undefined } }),
      'invalid_dpop_proof',
      /ath/,
    ],
    [
      'a proof signed by another key',
      (at) => apiProof(at, { signWith: otherKey }),
      'invalid_dpop_proof',
      /signature/,
    ],
    [
      'a proof by another key (cnf.jkt)',
      (at) => dpopProof(otherKey, { htm: 'GET', htu: apiUrl, accessToken: at }),
      'invalid_token',
      /cnf/,
    ],
    [
      'a proof with a private jwk',
      (at) => apiProof(at, { header: { jwk: { ...key.jwk, d: 'AAAA' } } }),
      'invalid_dpop_proof',
      /private/,
    ],
  ])('refuses %s', async (_name, makeProof, error, reason) => {
    const proof = makeProof(accessToken)
    const api = await callApi({
      Authorization: `DPoP ${accessToken}`,
      ...(proof === undefined ? {} : { DPoP: proof }),
    })
    expect(api.status).toBe(401)
    expect(api.challenge).toMatch(
      new RegExp(`^DPoP realm="latchkey-api", algs="ES256", error="${error}"`),
    )
    expect(api.body).toMatchObject({ error, error_description: expect.stringMatching(reason) })
    expect(server.stats.api).toMatchObject({ ok: 0, unauthorized: 1, dpop: 1 })
  })

  it('refuses a replayed proof (same jti)', async () => {
    const proof = apiProof(accessToken)
    const headers = { Authorization: `DPoP ${accessToken}`, DPoP: proof }
    expect((await callApi(headers)).status).toBe(200)
    const replay = await callApi(headers)
    expect(replay).toMatchObject({ status: 401, body: { error: 'invalid_dpop_proof' } })
    expect(replay.body.error_description).toMatch(/jti/)
  })

  it('takes the htu of the app origin when the request came through its proxy', async () => {
    const proxied = await fetch(apiUrl, {
      headers: {
        Authorization: `DPoP ${accessToken}`,
        DPoP: apiProof(accessToken, { htu: `${APP_ORIGIN}/api/messages` }),
        'X-Forwarded-Host': 'localhost:5173',
      },
    })
    expect(proxied.status).toBe(200)
  })

  it('with the nonce switch on, answers 401 use_dpop_nonce with a nonce, then accepts it', async () => {
    server.settings.dpopNonce = true
    const first = await callApi({
      Authorization: `DPoP ${accessToken}`,
      DPoP: apiProof(accessToken),
    })
    expect(first.status).toBe(401)
    expect(first.challenge).toMatch(
      /^DPoP realm="latchkey-api", algs="ES256", error="use_dpop_nonce"/,
    )
    expect(first.nonce).toMatch(/^[\w-]{20,}$/)
    const nonce = /** @type {string} */ (first.nonce)

    const forged = await callApi({
      Authorization: `DPoP ${accessToken}`,
      DPoP: apiProof(accessToken, { nonce: 'made-up' }),
    })
    expect(forged).toMatchObject({ status: 401, body: { error: 'use_dpop_nonce' } })
    // A forged nonce is challenged again; the nonce given first is still good.
    const second = await callApi({
      Authorization: `DPoP ${accessToken}`,
      DPoP: apiProof(accessToken, { nonce }),
    })
    expect(second).toMatchObject({ status: 200, body: { scheme: 'DPoP' } })
    expect(second.nonce).toMatch(/^[\w-]{20,}$/)
    expect(server.stats.api).toMatchObject({ ok: 1, unauthorized: 2, nonceChallenges: 2, dpop: 3 })

    // The API's CORS lets a page send DPoP and read the nonce and the challenge.
    const cors = await fetch(apiUrl, {
      headers: {
        Origin: APP_ORIGIN,
        Authorization: `DPoP ${accessToken}`,
        DPoP: apiProof(accessToken),
      },
    })
    const exposed = cors.headers.get('access-control-expose-headers')?.toLowerCase()
    expect(exposed).toContain('dpop-nonce')
    expect(exposed).toContain('www-authenticate')
  })
})

describe('refresh tokens for offline_access without prompt=consent', () => {
  it('issues one to an interactive login (with or without prompt=login) and to a silent one', async () => {
    const interactive = await login()
    expect((await exchangeFromNode(server, interactive)).body.refresh_token).toEqual(
      expect.any(String),
    )
    const forced = await loginFromNode(server, {
      redirectUri: REDIRECT_URI,
      params: { prompt: 'login' },
    })
    expect((await exchangeFromNode(server, forced)).body.refresh_token).toEqual(expect.any(String))

    // prompt=none with the session's cookies: no form, a code, and a refresh token too (Auth0
    // does the same; oidc-provider alone would drop offline_access without prompt=consent).
    const silent = await loginFromNode(server, {
      redirectUri: REDIRECT_URI,
      jar: interactive.jar,
      params: { prompt: 'none' },
    })
    expect(silent.callback.code).toEqual(expect.any(String))
    const tokens = (await exchangeFromNode(server, silent)).body
    expect(tokens.refresh_token).toEqual(expect.any(String))
    expect(tokens.scope.split(' ')).toContain('offline_access')
    expect(server.stats.authorize.promptNone).toBe(1)

    // Without offline_access, no refresh token, silent or not.
    const noOffline = await loginFromNode(server, {
      redirectUri: REDIRECT_URI,
      jar: interactive.jar,
      params: { prompt: 'none', scope: 'openid profile' },
    })
    const plain = (await exchangeFromNode(server, noOffline)).body
    expect(plain.access_token).toEqual(expect.any(String))
    expect(plain.refresh_token).toBeUndefined()
    expect(server.stats.authorize.promptNone).toBe(2)
  })
})

// A sanity check of the test helper itself: the thumbprint is RFC 7638's (its §3.1 example key).
it('computes RFC 7638 thumbprints', async () => {
  const { jwkThumbprint } = await import('../../server/dpop.mjs')
  const jwk = {
    kty: 'RSA',
    n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
    e: 'AQAB',
    alg: 'RS256',
    kid: '2011-04-29',
  }
  expect(jwkThumbprint(jwk)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs')
  expect(createHash('sha256').update('x').digest('base64url')).toHaveLength(43)
})
