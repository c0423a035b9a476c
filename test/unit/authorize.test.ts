import { describe, expect, test } from 'vitest'
import { type AuthorizationRequest, buildAuthorizeUrl, createRandomState } from '../../src/index'
import { thrown } from '../support/fakes'

const request = (changes: Partial<AuthorizationRequest> = {}): AuthorizationRequest => ({
  authorizationEndpoint: 'https://id.example.com/authorize',
  clientId: 'client-abc',
  redirectUri: 'https://app.example.com/callback',
  scope: 'openid profile',
  state: createRandomState(),
  codeChallenge: createRandomState(),
  ...changes,
})

const paramsOf = (url: string) => Object.fromEntries(new URL(url).searchParams)

/** Every parameter latchkey owns (design.md; security.md rules 1, 3). */
const RESERVED = [
  'response_type',
  'response_mode',
  'client_id',
  'client_secret',
  'redirect_uri',
  'scope',
  'audience',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
  'code_verifier',
  'request',
  'request_uri',
]

describe('buildAuthorizeUrl (RFC 6749 §4.1.1, RFC 7636 §4.3)', () => {
  test('rule 1: carries every parameter of a code flow with S256', () => {
    const r = request({ nonce: createRandomState(), audience: 'https://api.example.com' })
    const url = new URL(buildAuthorizeUrl(r))
    expect(url.origin + url.pathname).toBe(r.authorizationEndpoint)
    expect(paramsOf(url.href)).toEqual({
      response_type: 'code',
      client_id: r.clientId,
      redirect_uri: r.redirectUri,
      scope: r.scope,
      state: r.state,
      nonce: r.nonce,
      audience: r.audience,
      code_challenge: r.codeChallenge,
      code_challenge_method: 'S256',
    })
  })

  test('nonce and audience are left out when not given', () => {
    const params = paramsOf(buildAuthorizeUrl(request()))
    expect(params).not.toHaveProperty('nonce')
    expect(params).not.toHaveProperty('audience')
    expect(params.code_challenge_method).toBe('S256')
  })

  test('query parameters already on the endpoint are kept', () => {
    const url = buildAuthorizeUrl(
      request({ authorizationEndpoint: 'https://id.example.com/authorize?p=B2C_1_signin&ui=x' }),
    )
    expect(paramsOf(url)).toMatchObject({ p: 'B2C_1_signin', ui: 'x', response_type: 'code' })
  })

  test('extra parameters are added; undefined ones are left out', () => {
    const url = buildAuthorizeUrl(
      request({ extraParams: { prompt: 'login', login_hint: 'a@b.c', organization: undefined } }),
    )
    const params = paramsOf(url)
    expect(params).toMatchObject({ prompt: 'login', login_hint: 'a@b.c' })
    expect(params).not.toHaveProperty('organization')
  })

  test('values are URL-encoded, not injected', () => {
    const url = buildAuthorizeUrl(request({ extraParams: { login_hint: 'a&state=evil#x' } }))
    expect(paramsOf(url).login_hint).toBe('a&state=evil#x')
    expect(new URL(url).searchParams.getAll('state')).toHaveLength(1)
    expect(new URL(url).hash).toBe('')
  })

  test.each(RESERVED)(
    'rules 1, 3: reserved extra parameter %s is refused with invalid_config',
    (name) => {
      expect(
        thrown(() => buildAuthorizeUrl(request({ extraParams: { [name]: 'x' } }))),
      ).toMatchObject({
        code: 'invalid_config',
      })
    },
  )
})
