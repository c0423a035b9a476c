// The playground's scripted tour: `npm start`'s page driven in headless Chromium against the local
// authorization server, asserting the values the flow inspector shows.
import { createHash } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { startPlayground } from '../../playground/start.mjs'
import { blockExternal, launchChromium } from '../support/chromium.mjs'
import { expectNoLeak } from '../support/e2e'

/**
 * The README's picture of the page, rewritten only on request (it changes on every run: fresh
 * verifier, state and tokens) and only while small enough to keep in the repository.
 */
const README_SCREENSHOT = 'docs/playground.png'
const README_SCREENSHOT_BUDGET = 150 * 1024
const updateReadmeScreenshot = !!process.env.UPDATE_SCREENSHOT

let playground: Awaited<ReturnType<typeof startPlayground>>
let browser: Browser
let context: BrowserContext
let page: Page
let pageErrors: string[]

beforeAll(async () => {
  playground = await startPlayground({ port: 0, authPort: 0, quiet: true })
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  await playground?.close()
})

beforeEach(async () => {
  context = await browser.newContext({ viewport: { width: 1200, height: 800 } })
  // A missing element fails in seconds with its selector, long before the test's own timeout.
  context.setDefaultTimeout(10_000)
  await blockExternal(context)
  page = await context.newPage()
  pageErrors = []
  page.on('pageerror', (error) => pageErrors.push(error.message))
})

afterEach(async () => {
  expect(pageErrors).toEqual([])
  await context.close()
})

/** The latest step of a kind: runs are listed newest first, their steps oldest first. */
const latest = (kind: string) =>
  page
    .locator('.run')
    .filter({ has: page.locator(`[data-kind="${kind}"]`) })
    .first()
    .locator(`[data-kind="${kind}"]`)
    .last()

/** A field of the latest step of a kind, all its text (folded parts too). */
const field = async (kind: string, name: string): Promise<string> =>
  ((await latest(kind).locator(`[data-field="${name}"] dd`).textContent()) ?? '').trim()

/** The title of the latest step of a kind. */
const title = async (kind: string): Promise<string> =>
  (await latest(kind).locator('.step-head strong').textContent()) ?? ''

/** Clicks an action button and waits for the step, in the run it starts, that shows it finished. */
const act = async (button: string, kind: string) => {
  await page.click(button)
  await page.locator('.run').first().locator(`[data-kind="${kind}"]`).waitFor()
}

const signInOnServerForm = async (user = 'alice') => {
  await page.click('#sign-in')
  await page.waitForURL(/\/interaction\//)
  await page.fill('input[name=login]', user)
  await page.fill('input[name=password]', user)
  await page.click('button[type=submit]')
}

const S256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url')

describe('the playground', () => {
  test('tour: sign in → call API → get token → sign out, each step with its real values', async () => {
    const { issuer, clientId, audience } = playground.localServer
    await page.goto(playground.url)
    await expect.poll(() => page.textContent('#status')).toBe('Signed out')

    await signInOnServerForm()
    await expect.poll(() => page.textContent('#status')).toBe('Signed in as Alice Liddell')
    expect(page.url()).toBe(playground.url)

    // The PKCE pair, proved here with Node's SHA-256 as the page proved it with WebCrypto.
    const verifier = await field('pkce', 'code_verifier')
    const challenge = await field('pkce', 'code_challenge')
    expect(verifier).toMatch(/^[\w-]{43}$/)
    expect(S256(verifier)).toBe(challenge)
    expect(await field('pkce', 'S256(code_verifier)')).toBe(
      '✓ equal to code_challenge (computed in this page)',
    )
    expect(await field('transaction', 'code_verifier')).toBe(verifier)

    // The authorize URL, and the same URL broken into its parameters.
    const authorize = new URL(await field('authorize', 'URL'))
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${issuer}/authorize`)
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: `${new URL(playground.url).origin}/callback`,
      audience,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    })
    expect(await field('authorize', 'code_challenge_method')).toBe('S256')
    const state = await field('authorize', 'state')
    expect(state).toBe(authorize.searchParams.get('state'))

    // The callback, the token request (verifier, no secret) and the decoded token response.
    const code = await field('callback', 'code')
    expect(code.length).toBeGreaterThan(20)
    expect(await field('callback', 'state')).toBe(state)
    expect(await field('callback', 'iss')).toBe(issuer)
    expect(await field('callback', 'state check')).toMatch(/^✓ the state sent in step \d+$/)
    expect(await field('token-request', 'grant_type')).toBe('authorization_code')
    expect(await field('token-request', 'code')).toBe(code)
    expect(await field('token-request', 'code_verifier')).toBe(verifier)
    expect(await field('token-request', 'client_secret')).toBe(
      '✓ none: a public client, PKCE instead',
    )
    expect(await field('token-request', 'code_verifier check')).toMatch(/^✓ the same as in step/)

    const tokens = await page.evaluate(() => window.auth.getTokens())
    const shownAccessToken = await field('token-response', 'access_token')
    expect(shownAccessToken).toContain(tokens.accessToken)
    expect(shownAccessToken).toContain(`"aud": "${audience}"`)
    expect(shownAccessToken).toContain('"sub": "alice"')
    expect(shownAccessToken).toMatch(/RS256 · at\+jwt · .*expires in (59:\d\d|1:00:00)/)
    expect(await field('token-response', 'id_token')).toContain('"email": "alice@latchkey.test"')
    expect(await field('token-response', 'nonce check')).toMatch(/^✓ the nonce sent in step \d+$/)
    expect(await field('tokens', 'refresh token')).toBe('yes')
    expect(await field('return', 'safeReturnTo(…)')).toBe('/')

    // Tokens in memory only; the saved run and the transaction are gone from sessionStorage.
    expect(await page.evaluate(() => Object.keys(sessionStorage))).toEqual([])
    const secrets = [tokens.accessToken, tokens.refreshToken, tokens.idToken, code]
    await expectNoLeak(page, context, secrets)

    await page.evaluate(() => scrollTo(0, 0))
    const screenshot = await page.screenshot({ clip: { x: 0, y: 0, width: 1200, height: 600 } })
    mkdirSync('test-results', { recursive: true })
    writeFileSync('test-results/playground.png', screenshot)
    if (updateReadmeScreenshot) {
      expect(screenshot.length, 'screenshot too big for the repo').toBeLessThan(
        README_SCREENSHOT_BUDGET,
      )
      mkdirSync(dirname(README_SCREENSHOT), { recursive: true })
      writeFileSync(README_SCREENSHOT, screenshot)
    }

    await act('#call-api', 'api-response')
    expect(await field('api-request', 'Authorization: Bearer')).toContain(tokens.accessToken)
    expect(await title('api-response')).toBe('API response: 200 OK')
    expect(JSON.parse(await field('api-response', 'body'))).toMatchObject({
      sub: 'alice',
      messages: [{ id: 1, text: 'Hello, alice! This came from a protected API.' }, { id: 2 }],
    })

    await act('#get-token', 'access-token')
    expect(await field('access-token', 'access token')).toContain(tokens.accessToken)

    // Refresh-token rotation: the old refresh token is sent, a new one comes back.
    await act('#refresh', 'tokens')
    const refreshed = await page.evaluate(() => window.auth.getTokens())
    expect(await field('refresh-request', 'grant_type')).toBe('refresh_token')
    expect(await field('refresh-request', 'refresh_token')).toBe(tokens.refreshToken)
    expect(await field('refresh-response', 'refresh_token')).toBe(refreshed.refreshToken)
    expect(refreshed.refreshToken).not.toBe(tokens.refreshToken)
    expect(await title('tokens')).toBe('Tokens changed: refresh')
    expect(await field('tokens', 'refresh token')).toBe('✓ rotated: a new one replaced the old')
    secrets.push(refreshed.accessToken, refreshed.refreshToken, refreshed.idToken)

    await page.click('#sign-out')
    await page.locator('[data-kind="signed-out"]').waitFor()
    // RP-Initiated Logout 1.0 §3: the server hands back the state latchkey sent with returnTo.
    expect(page.url()).toMatch(/\?state=[\w-]{43}$/)
    expect(page.url().split('?')[0]).toBe(playground.url)
    expect(await page.textContent('#status')).toBe('Signed out')
    expect(await page.textContent('#session')).toBe('No tokens in memory.')
    // The logout run waited in sessionStorage during the redirect, with the token blanked.
    expect(await field('revocation-request', 'token')).toMatch(/^\(not kept across page loads/)
    expect(await title('revocation-response')).toBe('Revocation response: 200 OK')
    expect(await title('tokens')).toBe('Tokens changed: logout')
    const shown = (await page.textContent('body')) ?? ''
    for (const secret of [...secrets, 'Alice Liddell', 'alice@latchkey.test']) {
      expect(shown).not.toContain(secret)
    }
    expect(await page.evaluate(() => Object.keys(sessionStorage))).toEqual([])
    await expectNoLeak(page, context, secrets)
  })

  test('shows the server’s refusal as text: cancel on the login page → access_denied', async () => {
    await page.goto(playground.url)
    await page.click('#sign-in')
    await page.waitForURL(/\/interaction\//)
    await page.click('text=Cancel')
    await page.locator('[data-kind="error"]').waitFor()

    expect(await field('callback', 'error')).toBe('access_denied')
    expect(await field('callback', 'state check')).toMatch(/^✓/)
    expect(await field('error', 'code')).toBe('authorization_error')
    expect(await field('error', 'error')).toBe('access_denied')
    expect(await field('error', 'error_description')).toBe('End-User aborted interaction')
    expect(await page.textContent('#status')).toBe('Signed out')
  })

  test('explains a callback that no login in this tab started, and renders its text inertly', async () => {
    const forged = new URL('callback', playground.url)
    forged.searchParams.set('error', 'access_denied')
    forged.searchParams.set('error_description', '<img id=injected src=x onerror=alert(1)>')
    forged.searchParams.set('state', 'forged-state')
    await page.goto(forged.href)
    await page.locator('[data-kind="error"]').waitFor()

    expect(await field('callback', 'error_description')).toBe(
      '<img id=injected src=x onerror=alert(1)>',
    )
    expect(await page.locator('#injected').count()).toBe(0)
    expect(await field('callback', 'state check')).toMatch(/^✗ no login was started in this tab/)
    expect(await field('error', 'code')).toBe('missing_transaction')
    // latchkey strips the response from the address bar even when it refuses it.
    expect(page.url()).toBe(new URL('callback', playground.url).href)
  })

  test('tabs view: a second tab follows the login, a reloaded one restores with no request, the server counts show it', async () => {
    await page.goto(playground.url)
    await expect.poll(() => page.textContent('#status')).toBe('Signed out')
    const other = await context.newPage()
    other.on('pageerror', (error) => pageErrors.push(error.message))
    await other.goto(playground.url)
    await expect.poll(() => other.textContent('#status')).toBe('Signed out')

    /** The tab's line of server counts, as numbers (other tests of this file count too). */
    const counts = async (tab: Page) =>
      ((await tab.textContent('#server-counts')) ?? '').match(/\d+/g)?.map(Number) ?? []
    await expect.poll(() => counts(other)).toHaveLength(4)
    const [requests = 0, exchanges = 0, refreshes = 0, revoked = 0] = await counts(other)

    await signInOnServerForm()
    await expect.poll(() => page.textContent('#status')).toBe('Signed in as Alice Liddell')
    // The other tab hears the login over the channel: no redirect, no request of its own.
    await expect.poll(() => other.textContent('#status')).toBe('Signed in as Alice Liddell')
    await expect
      .poll(() => counts(other))
      .toEqual([requests + 1, exchanges + 1, refreshes, revoked])

    await other.reload()
    await expect.poll(() => other.textContent('#status')).toBe('Signed in as Alice Liddell')
    expect(await other.locator('[data-kind="restored"] .step-head strong').textContent()).toBe(
      'Session restored from another tab',
    )
    await expect
      .poll(() => counts(other))
      .toEqual([requests + 1, exchanges + 1, refreshes, revoked])
    const tokens = await page.evaluate(() => window.auth.getTokens())
    await expectNoLeak(other, context, [tokens.accessToken, tokens.refreshToken, tokens.idToken])
  })
})
