import { beforeEach, describe, expect, test } from 'vitest'
import { discover } from '../../src/index'
import { setPageUrl, startClient } from '../support/client'
import { APP_ORIGIN, createFakeFetch, json, oidcServer } from '../support/fakes'

const ISSUER = 'https://id.example.com'
const DISCOVERY_URL = `${ISSUER}/.well-known/openid-configuration`

const metadata = (changes: Record<string, unknown> = {}) => ({
  issuer: ISSUER,
  authorization_endpoint: `${ISSUER}/auth`,
  token_endpoint: `${ISSUER}/token`,
  end_session_endpoint: `${ISSUER}/session/end`,
  code_challenge_methods_supported: ['S256'],
  ...changes,
})

const discoverWith = (answer: () => Response, issuer = ISSUER) => {
  const fake = createFakeFetch(answer)
  return { result: discover(issuer, { fetch: fake.fetch }), requests: fake.requests }
}

describe('discover (OIDC Discovery §4, RFC 8414 §3)', () => {
  test('fetches {issuer}/.well-known/openid-configuration and returns the document', async () => {
    const doc = metadata()
    const { result, requests } = discoverWith(() => json(doc))
    await expect(result).resolves.toEqual(doc)
    expect(requests.map((r) => [r.method, r.url])).toEqual([['GET', DISCOVERY_URL]])
    // No secret in a discovery request: a redirect (to the trailing-slash form, say) is followed.
    expect(requests[0]?.init).toMatchObject({ redirect: 'follow', credentials: 'omit' })
  })

  test('an issuer with a trailing slash is not doubled in the discovery URL', async () => {
    const { result, requests } = discoverWith(
      () => json(metadata({ issuer: `${ISSUER}/` })),
      `${ISSUER}/`,
    )
    await result
    expect(requests[0]?.url).toBe(DISCOVERY_URL)
  })

  test.each([
    ['a trailing slash the configured issuer lacks', `${ISSUER}/`],
    ['another server', 'https://evil.example.com'],
    ['another case', ISSUER.toUpperCase()],
    ['no issuer', undefined],
  ])('rule 6: a document naming %s → issuer_mismatch', async (_, issuer) => {
    await expect(discoverWith(() => json(metadata({ issuer }))).result).rejects.toMatchObject({
      code: 'issuer_mismatch',
    })
  })

  test.each<[string, () => Response]>([
    ['no authorization_endpoint', () => json(metadata({ authorization_endpoint: undefined }))],
    ['no token_endpoint', () => json(metadata({ token_endpoint: undefined }))],
    ['a numeric token_endpoint', () => json(metadata({ token_endpoint: 1 }))],
    ['a 404', () => json(metadata(), { status: 404 })],
    ['an HTML page', () => new Response('<html></html>')],
    [
      'an http token_endpoint (the verifier would cross in clear)',
      () => json(metadata({ token_endpoint: 'http://id.example.com/oauth/token' })),
    ],
    [
      'an http revocation_endpoint',
      () => json(metadata({ revocation_endpoint: 'http://id.example.com/oauth/revoke' })),
    ],
  ])('%s → invalid_response', async (_, answer) => {
    await expect(discoverWith(answer).result).rejects.toMatchObject({ code: 'invalid_response' })
  })

  test.each([[['plain']], [['plain', 's256']]])(
    'rule 1: code_challenge_methods_supported %j without S256 → invalid_config',
    async (methods) => {
      await expect(
        discoverWith(() => json(metadata({ code_challenge_methods_supported: methods }))).result,
      ).rejects.toMatchObject({ code: 'invalid_config' })
    },
  )

  test.each([[undefined], [[]], [['plain', 'S256']]])(
    'code_challenge_methods_supported %j is accepted (S256 listed, or nothing said)',
    async (methods) => {
      await expect(
        discoverWith(() => json(metadata({ code_challenge_methods_supported: methods }))).result,
      ).resolves.toMatchObject({ issuer: ISSUER })
    },
  )
})

describe('discovery through createClient({ issuer })', () => {
  beforeEach(() => setPageUrl(`${APP_ORIGIN}/`))

  test('fetched once, shared by concurrent calls, reused afterwards', async () => {
    const server = oidcServer()
    const { auth } = startClient(server)
    await Promise.all([
      auth.createAuthorizeUrl(),
      auth.createAuthorizeUrl(),
      auth.createAuthorizeUrl(),
    ])
    await auth.createAuthorizeUrl()
    expect(server.requestsTo(DISCOVERY_URL)).toHaveLength(1)
  })

  test('nothing is fetched until the client is used', () => {
    const server = oidcServer()
    startClient(server)
    expect(server.requests).toHaveLength(0)
  })

  test('retried after a failure, not cached', async () => {
    const server = oidcServer()
    let failures = 1
    server.routes.set(DISCOVERY_URL, () =>
      failures-- > 0 ? new Response('down', { status: 500 }) : json(server.metadata),
    )
    const { auth } = startClient(server)
    await expect(auth.createAuthorizeUrl()).rejects.toMatchObject({ code: 'invalid_response' })
    const url = new URL(await auth.createAuthorizeUrl())
    expect(url.origin + url.pathname).toBe(server.config.authorizationEndpoint)
    expect(server.requestsTo(DISCOVERY_URL)).toHaveLength(2)
  })

  test('the discovered endpoints are used', async () => {
    const server = oidcServer()
    const { signIn } = startClient(server)
    await signIn()
    expect(server.tokenRequests).toHaveLength(1)
  })

  test('explicit endpoints next to issuer replace discovery', async () => {
    const server = oidcServer()
    const { auth, signIn } = startClient(server, {
      endpoints: {
        authorization: server.config.authorizationEndpoint,
        token: server.config.tokenEndpoint,
      },
    })
    await signIn()
    expect(auth.isAuthenticated()).toBe(true)
    expect(server.requestsTo(DISCOVERY_URL)).toHaveLength(0)
  })
})
