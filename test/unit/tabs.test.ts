import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { admitTokens } from '../../src/client/admit'
import { contextOf } from '../../src/client/extension'
import { restoreSession } from '../../src/silent/index'
import { syncTabs } from '../../src/tabs/index'
import { readTabMessage } from '../../src/tabs/tab-message'
import { setPageUrl, startClient } from '../support/client'
import { APP_ORIGIN, auth0Server, CLIENT_ID, mintJwt, nowSeconds } from '../support/fakes'

const ISSUER = 'https://tenant.auth0.com/'
const FC_SEED = Number(process.env.FC_SEED ?? 20260314)

beforeEach(() => {
  setPageUrl(`${APP_ORIGIN}/`)
  sessionStorage.clear()
})
afterEach(() => {
  vi.restoreAllMocks()
  vi.unstubAllGlobals()
})

describe('rule 19: a channel message is checked before use', () => {
  const valid = {
    type: 'session',
    issuer: ISSUER,
    clientId: CLIENT_ID,
    reason: 'logout',
    generation: 1,
  }

  test('the exact shapes pass: a session change and an ask, for this issuer and client', () => {
    expect(readTabMessage(valid, ISSUER, CLIENT_ID)).toBe(valid)
    const ask = { type: 'ask', issuer: ISSUER, clientId: CLIENT_ID }
    expect(readTabMessage(ask, ISSUER, CLIENT_ID)).toBe(ask)
    const login = { ...valid, reason: 'login', tokens: { accessToken: 'a', tokenType: 'Bearer' } }
    expect(readTabMessage(login, ISSUER, CLIENT_ID)).toBe(login)
  })

  test('property: any value at all never throws, and passes only with this issuer, this client and a fitting reason', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          fc.record(
            {
              type: fc.constantFrom('session', 'ask', 'other', 1),
              issuer: fc.constantFrom(ISSUER, 'https://evil.example/', undefined),
              clientId: fc.constantFrom(CLIENT_ID, 'other', undefined),
              reason: fc.constantFrom(
                'login',
                'refresh',
                'logout',
                'error',
                'expired',
                'x',
                undefined,
              ),
              tokens: fc.option(fc.anything(), { nil: undefined }),
              generation: fc.oneof(fc.double(), fc.string(), fc.constant(undefined)),
            },
            { requiredKeys: [] },
          ),
        ),
        (data) => {
          const message = readTabMessage(data, ISSUER, CLIENT_ID)
          if (message === undefined) return
          const record = data as Record<string, unknown>
          expect(record.issuer).toBe(ISSUER)
          expect(record.clientId).toBe(CLIENT_ID)
          if (record.type === 'ask') return
          expect(record.type).toBe('session')
          expect(Number.isFinite(record.generation)).toBe(true)
          expect(['login', 'refresh'].includes(String(record.reason))).toBe(
            record.tokens !== undefined,
          )
          expect(['login', 'refresh', 'logout', 'error']).toContain(record.reason)
        },
      ),
      { seed: FC_SEED, numRuns: 2_000 },
    )
  })
})

describe('tokens from elsewhere go through the checks of a login (admitTokens)', () => {
  const idToken = (claims: Record<string, unknown> = {}) =>
    mintJwt({
      iss: ISSUER,
      aud: CLIENT_ID,
      sub: 'alice',
      iat: nowSeconds() - 7200,
      exp: nowSeconds() - 3600,
      ...claims,
    })

  test.each<[string, unknown, boolean]>([
    [
      'a plain Bearer set',
      { accessToken: 'a', tokenType: 'Bearer', expiresAt: Date.now() + 1000 },
      true,
    ],
    [
      'an ID token past its exp (the session lives on through refresh)',
      { accessToken: 'a', tokenType: 'Bearer', idToken: idToken() },
      true,
    ],
    [
      'a refresh token alone (a persisted session)',
      { accessToken: '', tokenType: 'Bearer', refreshToken: 'r', expiresAt: 0 },
      true,
    ],
    ['no access token and no refresh token', { accessToken: '', tokenType: 'Bearer' }, false],
    ['another token type', { accessToken: 'a', tokenType: 'DPoP' }, false],
    [
      'an expiry that is not a number',
      { accessToken: 'a', tokenType: 'Bearer', expiresAt: 'later' },
      false,
    ],
    ['an empty refresh token', { accessToken: 'a', tokenType: 'Bearer', refreshToken: '' }, false],
    [
      'an ID token of another issuer',
      { accessToken: 'a', tokenType: 'Bearer', idToken: idToken({ iss: 'https://evil/' }) },
      false,
    ],
    [
      'an ID token for another client',
      { accessToken: 'a', tokenType: 'Bearer', idToken: idToken({ aud: 'other' }) },
      false,
    ],
    [
      'an ID token with alg none',
      {
        accessToken: 'a',
        tokenType: 'Bearer',
        idToken: mintJwt(
          { iss: ISSUER, aud: CLIENT_ID, sub: 's', iat: 1, exp: 2 },
          { alg: 'none' },
        ),
      },
      false,
    ],
    ['not a JWT', { accessToken: 'a', tokenType: 'Bearer', idToken: 'x.y' }, false],
    ['null', null, false],
  ])('%s → admitted: %s', (_, tokens, admitted) => {
    const { auth, changes } = startClient(auth0Server())
    expect(admitTokens(contextOf(auth), tokens, 'login')).toBe(admitted)
    expect(changes.length).toBe(admitted ? 1 : 0)
    expect(!!auth.getTokens()).toBe(admitted)
  })

  test('a refreshed set about another user is refused (OIDC Core §12.2); a new login of another user is not', () => {
    const { auth } = startClient(auth0Server())
    const context = contextOf(auth)
    expect(
      admitTokens(context, { accessToken: 'a', tokenType: 'Bearer', idToken: idToken() }, 'login'),
    ).toBe(true)
    const mallory = { accessToken: 'b', tokenType: 'Bearer', idToken: idToken({ sub: 'mallory' }) }
    expect(admitTokens(context, mallory, 'refresh')).toBe(false)
    expect(auth.getTokens()?.accessToken).toBe('a')
    expect(admitTokens(context, mallory, 'login')).toBe(true)
  })

  test('only known members are kept: a message cannot smuggle others into the token set', () => {
    const { auth } = startClient(auth0Server())
    admitTokens(
      contextOf(auth),
      { accessToken: 'a', tokenType: 'Bearer', extra: '<script>' },
      'login',
    )
    expect(auth.getTokens()).toEqual({ accessToken: 'a', tokenType: 'Bearer' })
  })
})

describe('without BroadcastChannel or Web Locks: a single-tab session, said once', () => {
  test('the client works as without the add-on, restoreSession answers false, and the console hears it once', async () => {
    vi.stubGlobal('BroadcastChannel', undefined)
    const info = vi.spyOn(console, 'info').mockImplementation(() => {})
    const server = auth0Server()
    const { auth, signIn } = startClient(server, { tabs: syncTabs() })
    startClient(server, { tabs: syncTabs() })
    expect(await restoreSession(auth, { silent: false })).toBe(false)
    await signIn()
    const token = await auth.getAccessToken({ forceRefresh: true })
    expect(token).toBe(server.lastTokenResponse?.access_token)
    expect(await restoreSession(auth, { silent: false })).toBe(true)
    expect(
      info.mock.calls.filter(([text]) => String(text).includes('each tab keeps its own session'))
        .length,
    ).toBeLessThanOrEqual(1)
    expect(info.mock.calls.map(String).join('\n')).not.toContain(
      server.lastTokenResponse?.access_token as string,
    )
  })
})

describe('restoreSession', () => {
  test('memory first: a signed-in client answers true with no add-on asked', async () => {
    const restore = vi.fn(async () => false)
    const { auth, signIn } = startClient(auth0Server(), { tabs: { restore } })
    expect(await restoreSession(auth, { silent: false })).toBe(false)
    expect(restore).toHaveBeenCalledTimes(1)
    await signIn()
    expect(await restoreSession(auth, { silent: false })).toBe(true)
    expect(restore).toHaveBeenCalledTimes(1)
  })

  test('a source slower than timeoutSeconds counts as no session, and anything not a client is invalid_config', async () => {
    const { auth } = startClient(auth0Server(), {
      tabs: { restore: () => new Promise<boolean>(() => {}) },
    })
    expect(await restoreSession(auth, { silent: false, timeoutSeconds: 0.05 })).toBe(false)
    await expect(restoreSession({} as typeof auth)).rejects.toMatchObject({
      code: 'invalid_config',
    })
  })
})
