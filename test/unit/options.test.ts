import { describe, expect, test } from 'vitest'
import { type ClientOptions, createClient } from '../../src/index'
import { thrown } from '../support/fakes'

const base: ClientOptions = {
  domain: 'tenant.auth0.com',
  clientId: 'client-abc',
  redirectUri: 'https://app.example.com/callback',
}

/** `base` with `changes`; an undefined value removes the option. */
const optionsWith = (changes: Record<string, unknown>) => {
  const options: Record<string, unknown> = { ...base, ...changes }
  for (const [name, value] of Object.entries(changes)) if (value === undefined) delete options[name]
  return options as unknown as ClientOptions
}

const ISSUER_ONLY = { domain: undefined }

describe('createClient checks its options at once (invalid_config)', () => {
  test.each<[string, Record<string, unknown>]>([
    ['no clientId', { clientId: undefined }],
    ['an empty clientId', { clientId: '' }],
    ['a numeric clientId', { clientId: 42 }],
    ['domain and issuer together', { issuer: 'https://id.example.com' }],
    ['neither domain nor issuer', { domain: undefined }],
    ['a domain with a path', { domain: 'tenant.auth0.com/evil' }],
    ['a domain with http://', { domain: 'http://tenant.auth0.com' }],
    ['a domain with credentials', { domain: 'user@tenant.auth0.com' }],
    ['a domain with a query', { domain: 'tenant.auth0.com?x=1' }],
    ['a domain with spaces', { domain: 'tenant auth0.com' }],
    ['an http issuer off loopback', { ...ISSUER_ONLY, issuer: 'http://id.example.com' }],
    [
      'an http issuer on localhost.evil.com',
      { ...ISSUER_ONLY, issuer: 'http://localhost.evil.com' },
    ],
    ['an issuer that is not a URL', { ...ISSUER_ONLY, issuer: 'id.example.com' }],
    ['a javascript: issuer', { ...ISSUER_ONLY, issuer: 'javascript:alert(1)' }],
    ['an http token endpoint', { endpoints: { token: 'http://id.example.com/token' } }],
    ['a relative authorization endpoint', { endpoints: { authorization: '/authorize' } }],
    ['a javascript: end-session endpoint', { endpoints: { endSession: 'javascript:alert(1)' } }],
    ['an http revocation endpoint', { endpoints: { revocation: 'http://id.example.com/revoke' } }],
    ['no redirectUri', { redirectUri: undefined }],
    ['a relative redirectUri', { redirectUri: '/callback' }],
    ['a redirectUri with a fragment', { redirectUri: 'https://app.example.com/callback#x' }],
    ['a redirectUri with an empty fragment', { redirectUri: 'https://app.example.com/callback#' }],
    ['an http redirectUri off loopback', { redirectUri: 'http://app.example.com/callback' }],
    ['a javascript: redirectUri', { redirectUri: 'javascript:alert(1)' }],
    ['a data: redirectUri', { redirectUri: 'data:text/html,hi' }],
    ['a custom scheme without a dot (not reverse DNS)', { redirectUri: 'myapp:/callback' }],
    ['a negative timeoutMs', { timeoutMs: -1 }],
    ['a NaN timeoutMs', { timeoutMs: Number.NaN }],
    ['an infinite timeoutMs', { timeoutMs: Number.POSITIVE_INFINITY }],
    ['a non-numeric timeoutMs', { timeoutMs: 'soon' }],
    ['a negative leewaySeconds', { leewaySeconds: -60 }],
    ['a negative transactionTtlSeconds', { transactionTtlSeconds: -1 }],
    ['authorizeParams.state', { authorizeParams: { state: 'fixed' } }],
    [
      'authorizeParams.code_challenge_method',
      { authorizeParams: { code_challenge_method: 'plain' } },
    ],
    [
      'authorizeParams.redirect_uri',
      { authorizeParams: { redirect_uri: 'https://evil.example.com' } },
    ],
    ['authorizeParams.response_mode', { authorizeParams: { response_mode: 'fragment' } }],
  ])('%s → invalid_config', (_, changes) => {
    expect(thrown(() => createClient(optionsWith(changes)))).toMatchObject({
      code: 'invalid_config',
    })
  })

  test('no options at all → invalid_config', () => {
    expect(thrown(() => createClient(undefined as unknown as ClientOptions))).toMatchObject({
      code: 'invalid_config',
    })
  })

  test.each<[string, Record<string, unknown>]>([
    ['a plain domain', {}],
    ['a domain given as https://host/', { domain: 'https://tenant.auth0.com/' }],
    ['a domain with a port', { domain: 'login.example.com:8443' }],
    ['an https issuer', { ...ISSUER_ONLY, issuer: 'https://id.example.com' }],
    ['an http issuer on localhost', { ...ISSUER_ONLY, issuer: 'http://localhost:3000' }],
    ['an http issuer on 127.0.0.1', { ...ISSUER_ONLY, issuer: 'http://127.0.0.1:3000' }],
    ['an http issuer on [::1]', { ...ISSUER_ONLY, issuer: 'http://[::1]:3000' }],
    ['an http loopback redirectUri (RFC 8252 §7.3)', { redirectUri: 'http://127.0.0.1:8080/cb' }],
    ['a reverse-DNS custom scheme (RFC 8252 §7.1)', { redirectUri: 'com.example.app:/callback' }],
    ['finite limits, leeway 0', { timeoutMs: 5000, leewaySeconds: 0, transactionTtlSeconds: 60 }],
    ['harmless authorizeParams', { authorizeParams: { prompt: 'login', organization: 'org_1' } }],
  ])('%s is accepted', (_, changes) => {
    expect(createClient(optionsWith(changes)).isAuthenticated()).toBe(false)
  })
})
