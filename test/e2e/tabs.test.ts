// latchkey/tabs in real Chromium against oidc-provider: several pages of one browser context
// share one session. Every claim is counted at the server (token requests by grant, grant
// revocations), never inferred from timing.
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import {
  appReady,
  type E2E,
  expectNoLeakEverywhere,
  refreshAtServer,
  signIn,
  startE2E,
} from '../support/e2e'

// Access tokens live 3 s at the server; the client treats them as expired 1 s early.
const LEEWAY = 1

let e2e: E2E
let context: BrowserContext
/** oidc-provider's grant.revoked events: a replayed rotated refresh token revokes its grant. */
let revokedGrants = 0

beforeAll(async () => {
  e2e = await startE2E({ accessTokenTtl: 3 }, { leewaySeconds: LEEWAY })
  e2e.server.provider.on('grant.revoked', () => {
    revokedGrants += 1
  })
})
afterAll(() => e2e?.close())
beforeEach(async () => {
  context = await e2e.newContext()
  e2e.server.stats.reset()
  revokedGrants = 0
})
afterEach(() => expectNoLeakEverywhere(e2e, context))

const TABS = '/tabs.html'

/** Opens the tabs page in a new tab of the shared context and waits for its start-up. */
const openTab = async (): Promise<Page> => {
  const page = await context.newPage()
  await page.goto(`${e2e.app.origin}${TABS}`)
  await appReady(page)
  return page
}

const tokensOf = (page: Page) => page.evaluate(() => window.auth.getTokens())
const eventsOf = (page: Page) => page.evaluate(() => window.e2e.events)

/** Opens a tab and signs alice in there; returns it with its tokens. */
const signedInTab = async () => {
  const page = await openTab()
  await signIn(page)
  await page.waitForURL(`${e2e.app.origin}${TABS}`)
  expect((await appReady(page)).error).toBeUndefined()
  return page
}

/** Waits until the tab's client holds tokens (or none, with `signedIn` false). */
const until = (page: Page, signedIn: boolean) =>
  page.waitForFunction((wanted) => !!window.auth.getTokens() === wanted, signedIn)

describe('latchkey/tabs: one session per browser', () => {
  test('a login in one tab signs in the open ones, with no request of theirs', async () => {
    const other = await openTab()
    expect((await appReady(other)).restored).toBe(false)
    const tab = await signedInTab()
    await until(other, true)
    expect(await tokensOf(other)).toEqual(await tokensOf(tab))
    expect(await eventsOf(other)).toEqual(['login'])
    expect(e2e.server.stats.tokenRequests).toBe(1)
  })

  test('a tab opened later restores the session from an open tab, with no request to the server', async () => {
    const tab = await signedInTab()
    const later = await openTab()
    expect((await appReady(later)).restored).toBe(true)
    expect(await tokensOf(later)).toEqual(await tokensOf(tab))
    expect(e2e.server.stats.tokenRequests).toBe(1)
    // A reload is a new start too.
    await later.reload()
    expect((await appReady(later)).restored).toBe(true)
    expect(e2e.server.stats.tokenRequests).toBe(1)
  })

  test('a start with no session anywhere answers false at once', async () => {
    const started = Date.now()
    const tab = await openTab()
    expect((await appReady(tab)).restored).toBe(false)
    expect(Date.now() - started).toBeLessThan(2_500)
    expect(e2e.server.stats.tokenRequests).toBe(0)
  })

  test('five tabs whose access token expired call getAccessToken at once: one refresh request browser-wide, one token for all, no grant revoked', async () => {
    const first = await signedInTab()
    const tabs = [first, ...(await Promise.all([1, 2, 3, 4].map(openTab)))]
    // Past the expiry itself: tabs that received the session later count it as expired later.
    const { expiresAt } = await tokensOf(first)
    await first.waitForTimeout(Math.max(0, expiresAt - Date.now()) + 100)
    const tokens = await Promise.all(
      tabs.map((tab) => tab.evaluate(() => window.auth.getAccessToken())),
    )
    expect(new Set(tokens).size).toBe(1)
    expect(e2e.server.stats.token.refresh_token).toBe(1)
    expect(e2e.server.stats.rejectedRefreshTokens).toEqual([])
    expect(e2e.server.stats.refreshTokenReuse).toBe(0)
    expect(e2e.server.stats.grantRevocations).toEqual([])
    expect(revokedGrants).toBe(0)
    const sets = await Promise.all(tabs.map(tokensOf))
    expect(new Set(sets.map((set) => set.refreshToken)).size).toBe(1)
    for (const tab of tabs.slice(1)) expect(await eventsOf(tab)).toContain('refresh')
  })

  test('logout in one tab signs out every tab', async () => {
    const tab = await signedInTab()
    const others = await Promise.all([openTab(), openTab()])
    await tab.evaluate(() => window.auth.logout({ localOnly: true }))
    for (const other of others) {
      await until(other, false)
      expect((await eventsOf(other)).at(-1)).toBe('logout')
    }
  })

  test('invalid_grant in one tab clears every tab (told as error)', async () => {
    const tab = await signedInTab()
    const other = await openTab()
    // Someone spends the refresh token elsewhere: the tabs' copy is dead at the server.
    await refreshAtServer(e2e.server, (await tokensOf(tab)).refreshToken)
    const code = await tab.evaluate(() =>
      window.auth
        .getAccessToken({ forceRefresh: true })
        .catch((error: { code: string }) => error.code),
    )
    expect(code).toBe('login_required')
    await until(other, false)
    expect((await eventsOf(other)).at(-1)).toBe('error')
  })

  test('a tab closed while it holds the refresh lock does not block the next refresh', async () => {
    const tab = await signedInTab()
    const other = await openTab()
    const requestsBefore = e2e.server.stats.tokenRequests
    e2e.server.faults.nextTokenResponse('hang')
    // The page closes under this call, so its evaluation never answers.
    tab.evaluate(() => window.auth.getAccessToken({ forceRefresh: true })).catch(() => {})
    await tab.waitForFunction(async () => {
      const { held = [] } = await navigator.locks.query()
      return held.some((lock) => lock.name?.endsWith(':refresh'))
    })
    // The hung request has reached the server (so the fault is spent) while the tab holds the lock.
    await expect.poll(() => e2e.server.stats.tokenRequests).toBe(requestsBefore + 1)
    await tab.close()
    const token = await other.evaluate(() => window.auth.getAccessToken({ forceRefresh: true }))
    expect(token).toBe((await tokensOf(other)).accessToken)
    expect(e2e.server.stats.token.refresh_token).toBe(1)
  })

  test('forged and malformed channel messages change nothing and throw nothing', async () => {
    const tab = await signedInTab()
    const before = await tokensOf(tab)
    const attacker = await openTab()
    await attacker.evaluate(
      ({ issuer, clientId }) => {
        const channel = new BroadcastChannel(`latchkey:${issuer}:${clientId}`)
        const session = { type: 'session', issuer, clientId, generation: Date.now() * 2 }
        const forged = [
          null,
          42,
          'logout',
          [],
          { type: 'session' },
          { ...session, reason: 'logout', issuer: 'https://evil.example' },
          { ...session, reason: 'logout', clientId: 'other' },
          { ...session, reason: 'login' },
          { ...session, reason: 'logout', tokens: { accessToken: 'x', tokenType: 'Bearer' } },
          { ...session, reason: 'refresh', tokens: { accessToken: 7, tokenType: 'Bearer' } },
          {
            ...session,
            reason: 'refresh',
            tokens: { accessToken: 'x', tokenType: 'Bearer', idToken: 'not.a.jwt' },
          },
          { ...session, reason: 'refresh', tokens: { accessToken: 'x', tokenType: 'DPoP' } },
          { ...session, reason: 'logout', generation: 'soon' },
          { type: 'session', issuer, clientId, reason: 'weird', generation: Date.now() * 2 },
        ]
        for (const message of forged) channel.postMessage(message)
        channel.close()
      },
      { issuer: e2e.server.issuer, clientId: e2e.server.clientId },
    )
    // A round trip on the channel after the forged messages: they have all been handled by then.
    await openTab()
    expect(await tokensOf(tab)).toEqual(before)
    expect(await eventsOf(tab)).toEqual(['login'])
  })
})
