import type { BrowserContext } from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import {
  appReady,
  claimsOf,
  type E2E,
  expectNoLeak,
  expectNoLeakEverywhere,
  signIn,
  startE2E,
} from '../support/e2e'

let e2e: E2E
let context: BrowserContext

beforeAll(async () => {
  e2e = await startE2E()
})
afterAll(() => e2e?.close())
beforeEach(async () => {
  context = await e2e.newContext()
})
// Rule 17: no code or token of the run anywhere but in memory (test/support/e2e.ts).
afterEach(() => expectNoLeakEverywhere(e2e, context))

describe.each([
  ['<script> bundle (dist/latchkey.iife.js)', 'iife.html'],
  ['ES module (dist/latchkey.js)', 'esm.html'],
])('the whole PKCE flow with the built %s', (_name, pageFile) => {
  test('login → callback → code exchange → tokens in memory only', async () => {
    const { app, server } = e2e
    const page = await context.newPage()
    await page.goto(`${app.origin}/${pageFile}`)
    await appReady(page)
    const exchangesBefore = server.stats.token.authorization_code ?? 0

    await signIn(page)
    await page.waitForURL(`${app.origin}/${pageFile}`)
    const state = await appReady(page)

    expect(state.error).toBeUndefined()
    expect(state.appState).toEqual({ returnTo: '/inbox' })
    expect(state.events).toEqual(['login'])
    expect(server.stats.token.authorization_code).toBe(exchangesBefore + 1)

    const tokens = await page.evaluate(() => window.auth.getTokens())
    expect(tokens.tokenType).toBe('Bearer')
    expect(claimsOf(tokens.accessToken)).toMatchObject({
      aud: server.audience,
      iss: server.issuer,
      sub: 'alice',
    })
    expect(tokens.refreshToken).toEqual(expect.any(String))
    expect(tokens.expiresAt).toBeGreaterThan(Date.now())
    expect(await page.evaluate(() => window.auth.getUser()?.sub)).toBe('alice')
    expect(await page.evaluate(() => window.auth.isAuthenticated())).toBe(true)

    // The address bar is clean and the transaction is spent.
    const url = new URL(page.url())
    for (const name of ['code', 'state', 'iss']) expect(url.searchParams.has(name)).toBe(false)
    const transactions = await page.evaluate(() =>
      Object.keys(sessionStorage).filter((key) => key.startsWith('latchkey.')),
    )
    expect(transactions).toEqual([])
    await expectNoLeak(page, context, [tokens.accessToken, tokens.refreshToken, tokens.idToken])

    // The access token works at the protected API, sent by auth.fetch as a Bearer token.
    const api = await page.evaluate(async (apiUrl) => {
      const response = await window.auth.fetch(apiUrl)
      return { status: response.status, body: await response.json() }
    }, `${server.issuer}/api/messages`)
    expect(api).toMatchObject({ status: 200, body: { sub: 'alice' } })
  })
})
