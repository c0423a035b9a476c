import { describe, expect, test } from 'vitest'
import { validateIdTokenClaims } from '../../src/index'
import { mintJwt, thrown } from '../support/fakes'

const ISSUER = 'https://id.example.com'
const CLIENT = 'client-abc'
const NONCE = 'nonce-123'
/** The checks run against this clock, injected, so no test depends on the real time. */
const NOW = Date.UTC(2030, 0, 1, 12, 0, 0)
const nowS = NOW / 1000
const LEEWAY = 60

const goodClaims = (): Record<string, unknown> => ({
  iss: ISSUER,
  aud: CLIENT,
  sub: 'user-1',
  iat: nowS - 10,
  exp: nowS + 3600,
  nonce: NONCE,
})

const expectations = {
  issuer: ISSUER,
  clientId: CLIENT,
  nonce: NONCE,
  leewaySeconds: LEEWAY,
  now: NOW,
}

/** The good claims with `changes` applied; an undefined value removes the claim. */
const claimsWith = (changes: Record<string, unknown>) => {
  const claims = { ...goodClaims(), ...changes }
  for (const [name, value] of Object.entries(changes)) if (value === undefined) delete claims[name]
  return claims
}

const check = (claims: Record<string, unknown>, header?: Record<string, unknown>) =>
  validateIdTokenClaims(mintJwt(claims, header), expectations)

describe('ID token claims (rule 15, OIDC Core §3.1.3.7)', () => {
  test('good claims pass and are returned', () => {
    const claims = goodClaims()
    expect(check(claims)).toEqual(claims)
  })

  test.each<[string, Record<string, unknown>]>([
    ['iss of another server', { iss: 'https://evil.example.com' }],
    ['iss with a trailing slash the issuer lacks', { iss: `${ISSUER}/` }],
    ['iss in another case', { iss: ISSUER.toUpperCase() }],
    ['iss missing', { iss: undefined }],
    ['aud (string) another client', { aud: 'other-client' }],
    ['aud (array) without the client', { aud: ['other-client', 'api'] }],
    ['aud missing', { aud: undefined }],
    ['aud an empty array', { aud: [] }],
    ['several audiences and no azp', { aud: [CLIENT, 'https://api.example.com'] }],
    ['several audiences and azp another client', { aud: [CLIENT, 'other'], azp: 'other' }],
    ['one audience and azp present but different', { azp: 'other-client' }],
    [`exp more than the leeway in the past`, { exp: nowS - LEEWAY - 1 }],
    ['exp exactly at the leeway boundary (now = exp + leeway is expired)', { exp: nowS - LEEWAY }],
    ['exp missing', { exp: undefined }],
    ['exp a string', { exp: String(nowS + 3600) }],
    ['iat more than the leeway in the future', { iat: nowS + LEEWAY + 1 }],
    ['iat missing', { iat: undefined }],
    ['iat a string', { iat: String(nowS) }],
    ['nonce of another request', { nonce: 'other-nonce' }],
    ['nonce missing while one was sent', { nonce: undefined }],
    ['nonce differing only in case', { nonce: NONCE.toUpperCase() }],
    ['sub missing', { sub: undefined }],
    ['sub empty', { sub: '' }],
    ['sub a number', { sub: 42 }],
  ])('rule 15: %s → invalid_id_token', (_, changes) => {
    expect(thrown(() => check(claimsWith(changes)))).toMatchObject({ code: 'invalid_id_token' })
  })

  test.each<[string, Record<string, unknown>]>([
    [
      'several audiences with azp the client',
      { aud: [CLIENT, 'https://api.example.com'], azp: CLIENT },
    ],
    ['aud an array holding only the client', { aud: [CLIENT] }],
    ['one audience with azp the client', { azp: CLIENT }],
    ['exp within the leeway (1 s inside the boundary)', { exp: nowS - LEEWAY + 1 }],
    ['iat exactly the leeway in the future', { iat: nowS + LEEWAY }],
  ])('rule 15: %s passes', (_, changes) => {
    const claims = claimsWith(changes)
    expect(check(claims)).toEqual(claims)
  })

  test.each<[string, Record<string, unknown>]>([
    ['alg none', { alg: 'none' }],
    ['alg None', { alg: 'None' }],
    ['alg NONE', { alg: 'NONE' }],
    ['alg missing', { typ: 'JWT' }],
    ['alg not a string', { alg: 256 }],
  ])('rule 15: %s → invalid_id_token', (_, header) => {
    expect(thrown(() => check(goodClaims(), header))).toMatchObject({ code: 'invalid_id_token' })
  })

  test('rule 15: leewaySeconds 0 makes a token 1 s past exp expired', () => {
    const token = mintJwt(claimsWith({ exp: nowS - 1 }))
    expect(validateIdTokenClaims(token, { ...expectations, leewaySeconds: LEEWAY }).sub).toBe(
      'user-1',
    )
    expect(
      thrown(() => validateIdTokenClaims(token, { ...expectations, leewaySeconds: 0 })),
    ).toMatchObject({
      code: 'invalid_id_token',
    })
  })

  test('rule 3: without an expected nonce (a refresh) the nonce claim is not required', () => {
    const claims = claimsWith({ nonce: undefined })
    const { nonce: _, ...withoutNonce } = expectations
    expect(validateIdTokenClaims(mintJwt(claims), withoutNonce)).toEqual(claims)
  })

  test('a token that is not a JWT → invalid_id_token', () => {
    expect(thrown(() => validateIdTokenClaims('opaque-token', expectations))).toMatchObject({
      code: 'invalid_id_token',
    })
  })
})
