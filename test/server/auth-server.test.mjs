// The local authorization server seen from Node: its metadata, its keys and the protected API.
// The browser flows are in browser-flow.test.mjs.
import { generateKeyPair } from 'node:crypto'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEV_KEYS, startAuthServer } from '../../server/auth-server.mjs'
import { signJwt } from '../../server/jwt.mjs'

const APP_ORIGIN = 'http://localhost:5173'
/** @type {import('../../server/auth-server.mjs').AuthServer} */
let server
/** A key the server does not know, for a well-formed but wrongly signed token. */
let strangerKey

beforeAll(async () => {
  ;[server, { privateKey: strangerKey }] = await Promise.all([
    startAuthServer({ port: 0, quiet: true, redirectUris: [`${APP_ORIGIN}/callback`] }),
    promisify(generateKeyPair)('rsa', { modulusLength: 2048 }),
  ])
})
afterAll(() => server?.close())

const now = () => Math.floor(Date.now() / 1000)

/**
 * An access token like the server's own, with `claims` and `options` overriding the defaults.
 *
 * @param {Record<string, unknown>} [claims]
 * @param {Partial<Parameters<typeof signJwt>[1]>} [options]
 */
function accessToken(claims = {}, options = {}) {
  const [key] = DEV_KEYS.keys
  return signJwt(
    {
      iss: server.issuer,
      sub: 'alice',
      aud: server.audience,
      iat: now(),
      exp: now() + 60,
      client_id: server.clientId,
      ...claims,
    },
    { privateKey: key, kid: key.kid, typ: 'at+jwt', ...options },
  )
}

/** @param {Record<string, string>} [headers] */
async function getMessages(headers = {}) {
  const response = await fetch(`${server.issuer}/api/messages`, { headers })
  return {
    status: response.status,
    challenge: response.headers.get('www-authenticate'),
    body: await response.json(),
  }
}

describe('discovery', () => {
  it('publishes Auth0-style endpoints, the iss response parameter and S256 only', async () => {
    const response = await fetch(`${server.issuer}/.well-known/openid-configuration`)
    expect(response.status).toBe(200)
    const metadata = await response.json()
    expect(metadata).toMatchObject({
      issuer: server.issuer,
      authorization_endpoint: `${server.issuer}/authorize`,
      token_endpoint: `${server.issuer}/oauth/token`,
      end_session_endpoint: `${server.issuer}/v2/logout`,
      jwks_uri: `${server.issuer}/.well-known/jwks.json`,
      revocation_endpoint: `${server.issuer}/oauth/revoke`,
      userinfo_endpoint: `${server.issuer}/userinfo`,
      authorization_response_iss_parameter_supported: true,
      code_challenge_methods_supported: ['S256'],
      response_types_supported: ['code'],
      token_endpoint_auth_methods_supported: ['none'],
      id_token_signing_alg_values_supported: ['RS256'],
    })
    expect(metadata.grant_types_supported).toEqual(['authorization_code', 'refresh_token'])
    // RFC 9449 §5.1: DPoP is on, with the algorithms a browser can make non-extractable keys for.
    expect(metadata.dpop_signing_alg_values_supported).toContain('ES256')
    expect(metadata.scopes_supported).toEqual(
      expect.arrayContaining(['openid', 'profile', 'email', 'offline_access']),
    )
  })

  it('publishes the public half of the dev key and nothing private', async () => {
    const jwks = await (await fetch(`${server.issuer}/.well-known/jwks.json`)).json()
    expect(jwks.keys).toHaveLength(1)
    const [key] = jwks.keys
    expect(key).toMatchObject({ kid: DEV_KEYS.keys[0].kid, kty: 'RSA', alg: 'RS256', use: 'sig' })
    expect(key.n).toBe(DEV_KEYS.keys[0].n)
    for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(key).not.toHaveProperty(secret)
  })
})

describe('protected API', () => {
  it('challenges a request without a token, with no error code (RFC 6750 §3.1)', async () => {
    const result = await getMessages()
    expect(result.status).toBe(401)
    expect(result.challenge).toBe('Bearer realm="latchkey-api"')
  })

  it('treats another authentication scheme as no token', async () => {
    const result = await getMessages({ Authorization: 'Basic YWxpY2U6YWxpY2U=' })
    expect(result.status).toBe(401)
    expect(result.challenge).toBe('Bearer realm="latchkey-api"')
  })

  it.each([
    ['an expired token', () => accessToken({ iat: now() - 120, exp: now() - 60 }), /expired/],
    ['a token for another API', () => accessToken({ aud: 'https://other.example' }), /not meant/],
    ['a token from another issuer', () => accessToken({ iss: 'https://evil.example' }), /issuer/],
    ['an ID token', () => accessToken({ aud: server.clientId }, { typ: 'JWT' }), /type/],
    [
      'a token signed with another key',
      () => accessToken({}, { privateKey: strangerKey, kid: DEV_KEYS.keys[0].kid }),
      /signature/,
    ],
    [
      'an unsigned token (alg none)',
      () => `${accessToken({}, { alg: 'none' }).split('.').slice(0, 2).join('.')}.`,
      /none/,
    ],
    ['a token that is not a JWT', () => 'not-a-jwt', /compact JWS/],
  ])('refuses %s with invalid_token', async (_name, mint, reason) => {
    const result = await getMessages({ Authorization: `Bearer ${mint()}` })
    expect(result.status).toBe(401)
    expect(result.challenge).toMatch(/^Bearer realm="latchkey-api", error="invalid_token", /)
    expect(result.body.error).toBe('invalid_token')
    expect(result.body.error_description).toMatch(reason)
  })

  it('answers a valid token with the messages for its subject', async () => {
    const before = server.stats.api.ok
    const result = await getMessages({ Authorization: `Bearer ${accessToken({ sub: 'bob' })}` })
    expect(result.status).toBe(200)
    expect(result.challenge).toBeNull()
    expect(result.body.sub).toBe('bob')
    expect(result.body.messages.length).toBeGreaterThan(0)
    expect(server.stats.api.ok).toBe(before + 1)
  })

  it('lets only the app origin through the CORS preflight for the Authorization and DPoP headers', async () => {
    /** @param {string} origin */
    const preflight = (origin) =>
      fetch(`${server.issuer}/api/messages`, {
        method: 'OPTIONS',
        headers: {
          Origin: origin,
          'Access-Control-Request-Method': 'GET',
          'Access-Control-Request-Headers': 'authorization,dpop',
        },
      })
    const allowed = await preflight(APP_ORIGIN)
    expect(allowed.status).toBe(204)
    expect(allowed.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN)
    expect(allowed.headers.get('access-control-allow-headers')).toBe('Authorization, DPoP')
    const refused = await preflight('http://localhost:6666')
    expect(refused.headers.get('access-control-allow-origin')).toBeNull()
  })
})

describe('options', () => {
  it('refuses a port that is in use, naming the fix', async () => {
    await expect(startAuthServer({ port: server.port, quiet: true })).rejects.toThrow(
      `port ${server.port} is in use`,
    )
  })

  it('refuses a non-integer TTL', async () => {
    await expect(startAuthServer({ port: 0, accessTokenTtl: 1.5 })).rejects.toThrow(
      /accessTokenTtl must be an integer/,
    )
  })
})
