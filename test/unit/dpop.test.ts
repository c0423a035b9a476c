// latchkey/dpop (RFC 9449) against the fake server: the proofs themselves (checked with
// WebCrypto against the public JWK, on both WebCrypto implementations), where they go, the nonce
// dance (one retry, never two), fail-closed token types, dpop_jkt and the stored key.
import { createHash } from 'node:crypto'
import { IDBFactory } from 'fake-indexeddb'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { transact } from '../../src/dpop/database'
import { dpop } from '../../src/dpop/index'
import { readKeyPair } from '../../src/dpop/key-store'
import { createDpopProof, dpopKeyOf, htuOf } from '../../src/dpop/proof'
import { type AuthError, createClient } from '../../src/index'
import { restoreSession } from '../../src/silent/index'
import { expectNoTokenLeaks, setPageUrl, startClient, watchConsole } from '../support/client'
import {
  APP_ORIGIN,
  CLIENT_ID,
  type FakeAuthServer,
  json,
  oidcServer,
  REDIRECT_URI,
  type RecordedRequest,
} from '../support/fakes'

const ISSUER = 'https://id.example.com'
const TOKEN = `${ISSUER}/token`
const API = `${APP_ORIGIN}/api/messages`

beforeEach(() => {
  // A fresh, empty IndexedDB for every test (happy-dom has none).
  globalThis.indexedDB = new IDBFactory()
  setPageUrl(`${APP_ORIGIN}/`)
  sessionStorage.clear()
  watchConsole()
})
afterEach(() => {
  expectNoTokenLeaks()
})

const decode = (part: string | undefined) =>
  JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8'))

/** A proof's header and claims, after checking its ES256 signature against its own `jwk`. */
const verifiedProof = async (proof: string | null) => {
  const [header, payload, signature] = (proof ?? '').split('.')
  const { jwk, ...rest } = decode(header)
  const key = await crypto.subtle.importKey(
    'jwk',
    jwk,
    { name: 'ECDSA', namedCurve: 'P-256' },
    true,
    ['verify'],
  )
  const valid = await crypto.subtle.verify(
    { name: 'ECDSA', hash: 'SHA-256' },
    key,
    Buffer.from(signature ?? '', 'base64url'),
    new TextEncoder().encode(`${header}.${payload}`),
  )
  expect(valid, 'proof signature').toBe(true)
  return { header: { jwk, ...rest }, claims: decode(payload) }
}

/** RFC 7638, computed here with node:crypto, not by the code under test. */
const thumbprint = ({ crv, kty, x, y }: Record<string, string>) =>
  createHash('sha256').update(JSON.stringify({ crv, kty, x, y })).digest('base64url')

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url')

const nonceChallenge = (nonce: string) =>
  json({ error: 'use_dpop_nonce' }, { status: 400, headers: { 'dpop-nonce': nonce } })

/** The fake server answering DPoP token types, with an API on the app's origin. */
const dpopServer = (api: (request: RecordedRequest) => Response = () => json({ ok: true })) => {
  const server = oidcServer(ISSUER)
  server.tokenFields = { token_type: 'DPoP' }
  server.routes.set(API, api)
  return server
}

const signedIn = async (server: FakeAuthServer, persist = false) => {
  const client = startClient(server, { dpop: dpop({ persist }) })
  await client.signIn()
  return client
}

describe('the proof (RFC 9449 §4.2)', () => {
  test('ES256 JWS with typ dpop+jwt, the public jwk only, fresh jti, htm, htu, iat; verifies against its jwk', async () => {
    const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
      'sign',
      'verify',
    ])
    const key = await dpopKeyOf(pair)
    const claims = { method: 'POST', url: 'https://id.example.com/token?x=1#frag' }
    const first = await verifiedProof(await createDpopProof(key, claims))
    const second = await verifiedProof(await createDpopProof(key, claims))
    expect(first.header.typ).toBe('dpop+jwt')
    expect(first.header.alg).toBe('ES256')
    expect(Object.keys(first.header.jwk).sort()).toEqual(['crv', 'kty', 'x', 'y'])
    expect(first.header.jwk).toMatchObject({ kty: 'EC', crv: 'P-256' })
    expect(Object.keys(first.claims).sort()).toEqual(['htm', 'htu', 'iat', 'jti'])
    expect(first.claims).toMatchObject({ htm: 'POST', htu: 'https://id.example.com/token' })
    expect(Math.abs(first.claims.iat - Date.now() / 1000)).toBeLessThan(5)
    expect(first.claims.jti).toMatch(/^[\w-]{43}$/)
    expect(second.claims.jti).not.toBe(first.claims.jti)
    expect(key.jkt).toBe(thumbprint(first.header.jwk))
  })

  test('nonce and ath when given: ath = base64url(SHA-256(access token))', async () => {
    const key = await dpopKeyOf(
      await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']),
    )
    const { claims } = await verifiedProof(
      await createDpopProof(key, { method: 'GET', url: API, nonce: 'n-1', accessToken: 'at.x.y' }),
    )
    expect(claims.nonce).toBe('n-1')
    expect(claims.ath).toBe(sha256('at.x.y'))
  })

  test.each([
    ['https://api.example.com/a?b=c#d', 'https://api.example.com/a'],
    ['HTTPS://API.Example.COM/Path', 'https://api.example.com/Path'],
    ['https://api.example.com:443/x', 'https://api.example.com/x'],
    ['http://localhost:80/x?', 'http://localhost/x'],
    ['http://localhost:8080/x#', 'http://localhost:8080/x'],
  ])('htu of %s is %s', (url, htu) => {
    expect(htuOf(url)).toBe(htu)
  })
})

describe('dpop() in a client', () => {
  test('dpop_jkt on /authorize is the thumbprint of the key every proof carries; the key is non-extractable', async () => {
    const server = dpopServer()
    const { auth } = await signedIn(server)
    const [authorize] = [await auth.createAuthorizeUrl()]
    const jkt = new URL(authorize).searchParams.get('dpop_jkt')
    const [exchange] = server.tokenRequests
    const { header } = await verifiedProof(exchange?.headers.get('dpop') ?? null)
    expect(jkt).toBe(thumbprint(header.jwk))

    const pair = await readKeyPair(`${ISSUER} ${CLIENT_ID}`)
    expect(pair?.privateKey.extractable).toBe(false)
    expect(pair?.privateKey.algorithm).toMatchObject({ name: 'ECDSA', namedCurve: 'P-256' })
    await expect(crypto.subtle.exportKey('jwk', pair?.privateKey as CryptoKey)).rejects.toThrow()
  })

  test('token requests carry a proof for the token endpoint; TokenSet.tokenType is DPoP', async () => {
    const server = dpopServer()
    const { auth } = await signedIn(server)
    expect(auth.getTokens()?.tokenType).toBe('DPoP')
    await auth.getAccessToken({ forceRefresh: true })
    const proofs = await Promise.all(
      server.tokenRequests.map((request) => verifiedProof(request.headers.get('dpop'))),
    )
    expect(server.tokenRequests.map((r) => r.form.get('grant_type'))).toEqual([
      'authorization_code',
      'refresh_token',
    ])
    for (const { claims } of proofs) {
      expect(claims).toMatchObject({ htm: 'POST', htu: TOKEN })
      expect(claims.ath).toBeUndefined()
    }
    // Discovery is a GET without an access token: no proof.
    const discovery = server.requests.find((r) => r.url.endsWith('openid-configuration'))
    expect(discovery?.headers.get('dpop')).toBeNull()
  })

  test('auth.fetch sends Authorization: DPoP and a proof with ath of that token', async () => {
    const server = dpopServer()
    const { auth } = await signedIn(server)
    const response = await auth.fetch(`${API}?page=2`)
    expect(response.status).toBe(200)
    const [request] = server.requestsTo(API)
    const accessToken = auth.getTokens()?.accessToken as string
    expect(request?.headers.get('authorization')).toBe(`DPoP ${accessToken}`)
    const { claims } = await verifiedProof(request?.headers.get('dpop') ?? null)
    expect(claims).toMatchObject({ htm: 'GET', htu: API, ath: sha256(accessToken) })
  })

  test('a Bearer answer when DPoP was asked is refused: invalid_response, nothing kept', async () => {
    const server = dpopServer()
    server.tokenFields = { token_type: 'Bearer' }
    const { auth, signIn } = startClient(server, { dpop: dpop() })
    const error = (await signIn().catch((e) => e)) as AuthError
    expect(error.code).toBe('invalid_response')
    expect(auth.getTokens()).toBeUndefined()
  })
})

describe('nonces (RFC 9449 §8, §9)', () => {
  test('token endpoint 400 use_dpop_nonce: one retry with that nonce', async () => {
    const server = dpopServer()
    let challenged = 0
    server.tokenRoute = (request) => {
      if (decode(request.headers.get('dpop')?.split('.')[1]).nonce) {
        return server.issueTokens(request)
      }
      challenged += 1
      return nonceChallenge('nonce-a')
    }
    const { auth } = await signedIn(server)
    expect(auth.getTokens()?.tokenType).toBe('DPoP')
    expect(challenged).toBe(1)
    const [first, retry] = await Promise.all(
      server.tokenRequests.map((r) => verifiedProof(r.headers.get('dpop'))),
    )
    expect(first?.claims.nonce).toBeUndefined()
    expect(retry?.claims.nonce).toBe('nonce-a')
    expect(retry?.claims.jti).not.toBe(first?.claims.jti)
    // The same form both times (the body was not lost to the first attempt).
    expect(server.tokenRequests[1]?.body).toBe(server.tokenRequests[0]?.body)
  })

  test('token endpoint challenging again: never a second retry; the challenge is the error', async () => {
    const server = dpopServer()
    let n = 0
    server.tokenRoute = () => nonceChallenge(`nonce-${++n}`)
    const { signIn } = startClient(server, { dpop: dpop() })
    const error = (await signIn().catch((e) => e)) as AuthError
    expect(error.code).toBe('token_error')
    expect(error.error).toBe('use_dpop_nonce')
    expect(server.tokenRequests).toHaveLength(2)
  })

  test('a nonce that came with a 200 is used in the next proof to that origin', async () => {
    const server = dpopServer()
    server.tokenRoute = async (request) => {
      const answer = await server.issueTokens(request)
      return new Response(answer.body, {
        status: answer.status,
        headers: { 'content-type': 'application/json', 'dpop-nonce': 'from-200' },
      })
    }
    const { auth } = await signedIn(server)
    await auth.getAccessToken({ forceRefresh: true })
    const [exchange, refresh] = await Promise.all(
      server.tokenRequests.map((r) => verifiedProof(r.headers.get('dpop'))),
    )
    expect(exchange?.claims.nonce).toBeUndefined()
    expect(refresh?.claims.nonce).toBe('from-200')
    // Nonces are per origin: the API on the app's origin does not get the issuer's.
    await auth.fetch(API)
    const api = await verifiedProof(server.requestsTo(API)[0]?.headers.get('dpop') ?? null)
    expect(api.claims.nonce).toBeUndefined()
  })

  const apiChallenge = (nonce: string) =>
    json(
      { error: 'use_dpop_nonce' },
      {
        status: 401,
        headers: {
          'www-authenticate': 'DPoP algs="ES256", error="use_dpop_nonce"',
          'dpop-nonce': nonce,
        },
      },
    )

  test('API 401 use_dpop_nonce: one retry with the nonce, same token, no refresh', async () => {
    const server = dpopServer((request) =>
      decode(request.headers.get('dpop')?.split('.')[1]).nonce === 'api-nonce'
        ? json({ ok: true })
        : apiChallenge('api-nonce'),
    )
    const { auth } = await signedIn(server)
    const response = await auth.fetch(API)
    expect(response.status).toBe(200)
    const calls = server.requestsTo(API)
    expect(calls).toHaveLength(2)
    expect(calls[0]?.headers.get('authorization')).toBe(calls[1]?.headers.get('authorization'))
    expect(server.tokenRequests).toHaveLength(1)
    // The next call starts with the nonce: no challenge.
    await auth.fetch(API)
    expect(server.requestsTo(API)).toHaveLength(3)
  })

  test('API challenging again: never a second retry; the 401 is the answer', async () => {
    let n = 0
    const server = dpopServer(() => apiChallenge(`api-${++n}`))
    const { auth } = await signedIn(server)
    const response = await auth.fetch(API)
    expect(response.status).toBe(401)
    expect(server.requestsTo(API)).toHaveLength(2)
    expect(server.tokenRequests).toHaveLength(1)
  })
})

/** Every record of both stores, for the tests of what is persisted. */
const everything = () =>
  transact<unknown[]>(['keys', 'sessions'], 'readonly', (transaction, done) => {
    const keys = transaction.objectStore('keys').getAll()
    const sessions = transaction.objectStore('sessions').getAll()
    sessions.onsuccess = () => done([...keys.result, ...sessions.result])
  })

describe('persist', () => {
  test('keeps only the DPoP-bound refresh token beside the key, updated on refresh; logout deletes both', async () => {
    const server = dpopServer()
    const { auth } = await signedIn(server, true)
    const session = async () =>
      transact(['sessions'], 'readonly', (transaction, done) => {
        const request = transaction.objectStore('sessions').get(`${ISSUER} ${CLIENT_ID}`)
        request.onsuccess = () => done(request.result)
      })
    const { header } = await verifiedProof(server.tokenRequests[0]?.headers.get('dpop') ?? null)
    await expect.poll(session).toEqual({
      refreshToken: auth.getTokens()?.refreshToken,
      jkt: thumbprint(header.jwk),
    })
    await auth.getAccessToken({ forceRefresh: true })
    await expect
      .poll(async () => ((await session()) as { refreshToken: string }).refreshToken)
      .toBe(auth.getTokens()?.refreshToken)
    await auth.logout({ localOnly: true })
    await expect.poll(everything).toEqual([])
  })

  test('without persist nothing but the key is stored', async () => {
    const { auth } = await signedIn(dpopServer())
    await auth.getAccessToken({ forceRefresh: true })
    expect(await everything()).toHaveLength(1)
  })

  test('a corrupt record is deleted with its key and counts as no session, without an error', async () => {
    await signedIn(dpopServer(), true)
    await expect.poll(async () => (await everything()).length).toBe(2)
    await transact(['sessions'], 'readwrite', (transaction) => {
      transaction.objectStore('sessions').put({ refreshToken: 42 }, `${ISSUER} ${CLIENT_ID}`)
    })
    // A new page: a new client on the same IndexedDB.
    const server = dpopServer()
    const auth = createClient({
      issuer: ISSUER,
      clientId: CLIENT_ID,
      redirectUri: REDIRECT_URI,
      fetch: server.fetch,
      dpop: dpop({ persist: true }),
    })
    // The persisted source alone (the silent iframe, the next source, is not this test's).
    expect(await restoreSession(auth, { silent: false })).toBe(false)
    expect(server.tokenRequests).toHaveLength(0)
    expect(await everything()).toEqual([])
  })
})
