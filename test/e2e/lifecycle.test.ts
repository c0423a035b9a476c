import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import {
  appReady,
  type E2E,
  expectNoLeak,
  expectNoLeakEverywhere,
  refreshAtServer,
  signIn,
  startE2E,
} from '../support/e2e'

// Access tokens live 3 s at the server; the client treats them as expired 1 s early.
const ACCESS_TOKEN_TTL = 3
const LEEWAY = 1

let e2e: E2E
let context: BrowserContext

beforeAll(async () => {
  e2e = await startE2E({ accessTokenTtl: ACCESS_TOKEN_TTL }, { leewaySeconds: LEEWAY })
})
afterAll(() => e2e?.close())
beforeEach(async () => {
  context = await e2e.newContext()
})
// Rule 17: no code or token of the run anywhere but in memory (test/support/e2e.ts).
afterEach(() => expectNoLeakEverywhere(e2e, context))

/** Signs alice in on the ES module page (which finds the endpoints by discovery) and returns the page. */
const signedInPage = async (): Promise<Page> => {
  const page = await context.newPage()
  await page.goto(`${e2e.app.origin}/esm.html`)
  await appReady(page)
  await signIn(page)
  await page.waitForURL(`${e2e.app.origin}/esm.html`)
  expect((await appReady(page)).error).toBeUndefined()
  return page
}

/** Waits (in real time) until the client considers the access token expired. */
const untilExpired = async (page: Page) => {
  const expiresAt: number = await page.evaluate(() => window.auth.getTokens().expiresAt)
  await page.waitForTimeout(Math.max(0, expiresAt - LEEWAY * 1000 - Date.now()) + 100)
}

describe('token lifecycle against the local oidc-provider', () => {
  test('an expired access token is refreshed, the refresh token rotates, and the old one is dead', async () => {
    const page = await signedInPage()
    const first = await page.evaluate(() => window.auth.getTokens())
    const refreshesBefore = e2e.server.stats.token.refresh_token

    // Still valid: no request.
    expect(await page.evaluate(() => window.auth.getAccessToken())).toBe(first.accessToken)
    expect(e2e.server.stats.token.refresh_token).toBe(refreshesBefore)

    await untilExpired(page)
    const accessToken = await page.evaluate(() => window.auth.getAccessToken())
    const second = await page.evaluate(() => window.auth.getTokens())
    expect(accessToken).not.toBe(first.accessToken)
    expect(second.accessToken).toBe(accessToken)
    expect(second.refreshToken).toEqual(expect.any(String))
    expect(second.refreshToken).not.toBe(first.refreshToken)
    expect(e2e.server.stats.token.refresh_token).toBe(refreshesBefore + 1)
    expect((await appReady(page)).events).toEqual(['login', 'refresh'])
    await expectNoLeak(page, context, [first.refreshToken, second.refreshToken, second.accessToken])

    // Rotation really happened: the server refuses the spent refresh token.
    const replay = await refreshAtServer(e2e.server, first.refreshToken)
    expect(replay.status).toBe(400)
    expect(replay.body.error).toBe('invalid_grant')
  })

  test('ten concurrent getAccessToken() calls send one refresh request; logout revokes and lands on returnTo', async () => {
    const page = await signedInPage()
    await untilExpired(page)
    const requestsBefore = e2e.server.stats.tokenRequests
    const tokens: string[] = await page.evaluate(() =>
      Promise.all(Array.from({ length: 10 }, () => window.auth.getAccessToken())),
    )
    expect(new Set(tokens).size).toBe(1)
    expect(e2e.server.stats.tokenRequests).toBe(requestsBefore + 1)

    const last = await page.evaluate(() => window.auth.getTokens())
    const revocationsBefore = e2e.server.stats.revocation
    const returnTo = `${e2e.app.origin}/esm.html`
    await page.evaluate((url) => {
      void window.auth.logout({ returnTo: url })
    }, returnTo)
    await page.waitForURL((url) => url.href.startsWith(e2e.server.issuer))
    // RP-Initiated Logout 1.0 §3: the server hands back the state latchkey sent with returnTo.
    await page.waitForURL(
      (url) => /^\?state=[\w-]{43}$/.test(url.search) && url.href.startsWith(returnTo),
    )
    const after = await appReady(page)
    expect(after.error).toBeUndefined()
    expect(e2e.server.stats.revocation).toBe(revocationsBefore + 1)
    expect(await page.evaluate(() => window.auth.getTokens())).toBeUndefined()
    expect(
      await page.evaluate(
        () => Object.keys(sessionStorage).length + Object.keys(localStorage).length,
      ),
    ).toBe(0)
    await expectNoLeak(page, context, [last.accessToken, last.refreshToken, last.idToken])

    // The revoked refresh token is dead at the server.
    const replay = await refreshAtServer(e2e.server, last.refreshToken)
    expect(replay.body.error).toBe('invalid_grant')
  })
})
