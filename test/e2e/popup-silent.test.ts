// latchkey/popup and latchkey/silent in real Chromium against oidc-provider, on the built
// bundles: the popup and the hidden iframe land on the app's ordinary redirect URI
// (test/e2e/pages/popup.html), which hands the response back. Counts come from the server.
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { appReady, type E2E, expectNoLeakEverywhere, signIn, startE2E } from '../support/e2e'

let e2e: E2E
let context: BrowserContext

beforeAll(async () => {
  e2e = await startE2E()
})
afterAll(() => e2e?.close())
beforeEach(async () => {
  context = await e2e.newContext()
  e2e.server.stats.reset()
  e2e.server.faults.clear()
  e2e.server.settings.coop = false
})
afterEach(() => expectNoLeakEverywhere(e2e, context))

const PAGE = '/popup.html'

interface Outcome {
  code?: string
  error?: string | undefined
  appState?: unknown
  sub?: string | undefined
}

declare global {
  interface Window {
    // biome-ignore lint/suspicious/noExplicitAny: the built add-ons, typed loosely on purpose
    loginWithPopup: any
    // biome-ignore lint/suspicious/noExplicitAny: the built add-ons, typed loosely on purpose
    authenticateSilently: any
    outcome?: Outcome | undefined
  }
}

/** Opens the app page (its start-up runs restoreSession) and waits for it to be ready. */
const openApp = async (origin = e2e.app.origin): Promise<Page> => {
  const page = await context.newPage()
  page.setDefaultTimeout(8_000)
  await page.goto(`${origin}${PAGE}`)
  await appReady(page)
  return page
}

/** Calls loginWithPopup as a click handler would; returns the popup it opened. */
const startPopupLogin = async (page: Page, options: Record<string, unknown> = {}) => {
  const [popup] = await Promise.all([
    page.waitForEvent('popup'),
    page.evaluate((options) => {
      window.outcome = undefined
      window.loginWithPopup(window.auth, options).then(
        ({ appState }: { appState: unknown }) => {
          window.outcome = { appState, sub: window.auth.getUser()?.sub }
        },
        (error: { code: string; error?: string }) => {
          window.outcome = { code: error.code, error: error.error }
        },
      )
    }, options),
  ])
  return popup
}

const outcomeOf = async (page: Page): Promise<Outcome> => {
  await page.waitForFunction(() => window.outcome)
  return page.evaluate(() => window.outcome as Outcome)
}

const signInIn = async (popup: Page, user = 'alice') => {
  await popup.waitForSelector('input[name=login]')
  await popup.fill('input[name=login]', user)
  await popup.fill('input[name=password]', user)
  await popup.click('button[type=submit]')
}

const silently = (page: Page, options: Record<string, unknown> = {}) =>
  page.evaluate(
    (options) =>
      window.authenticateSilently(window.auth, options).then(
        () => ({ sub: window.auth.getUser()?.sub }) as Outcome,
        (error: { code: string; error?: string }) => ({ code: error.code, error: error.error }),
      ),
    options,
  )

const framesOn = (page: Page) => page.evaluate(() => document.querySelectorAll('iframe').length)

describe('loginWithPopup (Chromium)', () => {
  test('logs in in a popup that closes itself; the app page never moves; one token request', async () => {
    const page = await openApp()
    const popup = await startPopupLogin(page, { appState: { from: 'header' } })
    const closed = popup.waitForEvent('close')
    await signInIn(popup)
    expect(await outcomeOf(page)).toEqual({ appState: { from: 'header' }, sub: 'alice' })
    await closed
    expect(page.url()).toBe(`${e2e.app.origin}${PAGE}`)
    expect(context.pages()).toEqual([page])
    expect(e2e.server.stats.token.authorization_code).toBe(1)
    expect(e2e.server.stats.tokenRequests).toBe(1)
    expect(await page.evaluate(() => window.e2e.events)).toEqual(['login'])
  })

  test('the user closes the popup: popup_closed, within the grace period, no token request', async () => {
    const page = await openApp()
    const popup = await startPopupLogin(page)
    await popup.waitForSelector('input[name=login]')
    const started = Date.now()
    await popup.close()
    expect(await outcomeOf(page)).toEqual({ code: 'popup_closed' })
    expect(Date.now() - started).toBeLessThan(6_000)
    expect(e2e.server.stats.tokenRequests).toBe(0)
  })

  test('no action: timeout after timeoutSeconds, and the popup is closed', async () => {
    const page = await openApp()
    const popup = await startPopupLogin(page, { timeoutSeconds: 1 })
    const closed = popup.waitForEvent('close')
    expect(await outcomeOf(page)).toEqual({ code: 'timeout' })
    await closed
    expect(context.pages()).toEqual([page])
  })

  test('a popup answered with a tampered state: state_mismatch, no token request, no tokens', async () => {
    const page = await openApp()
    const popup = await startPopupLogin(page)
    await popup.waitForSelector('input[name=login]')
    // The popup comes back to the redirect URI with a state this window never started.
    const forged = new URL(`${e2e.app.origin}${PAGE}`)
    forged.search = new URLSearchParams({
      code: 'forged-code',
      state: 'w.tampered-state',
      iss: e2e.server.issuer,
    }).toString()
    const closed = popup.waitForEvent('close')
    // Navigated from inside: the page closes itself before a goto could report it loaded.
    await popup.evaluate((href) => {
      location.href = href
    }, forged.href)
    expect(await outcomeOf(page)).toEqual({ code: 'state_mismatch' })
    await closed
    expect(e2e.server.stats.tokenRequests).toBe(0)
    expect(await page.evaluate(() => window.auth.getTokens())).toBeUndefined()
  })

  test('COOP on the login page severs the popup, and the login still completes over the response channel', async () => {
    e2e.server.settings.coop = true
    const page = await openApp()
    const popup = await startPopupLogin(page)
    await signInIn(popup)
    expect(await outcomeOf(page)).toEqual({ sub: 'alice' })
    expect(e2e.server.stats.tokenRequests).toBe(1)
    expect(page.url()).toBe(`${e2e.app.origin}${PAGE}`)
    // Severed, the opener cannot close it; the callback page closes itself.
    await expect.poll(() => popup.isClosed()).toBe(true)
  })
})

describe('authenticateSilently and restoreSession (Chromium)', () => {
  test('a reload after a login comes back through the hidden iframe: same sub, no iframe left', async () => {
    const page = await openApp()
    expect((await appReady(page)).restored).toBe(false)
    await signIn(page)
    await page.waitForURL(`${e2e.app.origin}${PAGE}`)
    expect((await appReady(page)).error).toBeUndefined()
    const sub = await page.evaluate(() => window.auth.getUser()?.sub)
    e2e.server.stats.reset()
    await page.reload()
    expect(await appReady(page)).toMatchObject({ restored: true, events: ['login'] })
    expect(await page.evaluate(() => window.auth.getUser()?.sub)).toBe(sub)
    expect(await framesOn(page)).toBe(0)
    expect(page.url()).toBe(`${e2e.app.origin}${PAGE}`)
    expect(e2e.server.stats.authorize.promptNone).toBe(1)
    expect(e2e.server.stats.token.authorization_code).toBe(1)
  })

  test('no session at the server: restoreSession false, authenticateSilently login_required', async () => {
    const page = await openApp()
    expect(await appReady(page)).toMatchObject({ restored: false })
    expect(await silently(page)).toEqual({ code: 'authorization_error', error: 'login_required' })
    expect(await framesOn(page)).toBe(0)
    expect(e2e.server.stats.authorize.promptNone).toBe(2)
    expect(e2e.server.stats.authorizationErrors).toEqual(['login_required', 'login_required'])
    expect(e2e.server.stats.tokenRequests).toBe(0)
  })

  test('an /authorize that never answers: timeout within timeoutSeconds + 2 s, the iframe removed', async () => {
    const page = await openApp()
    e2e.server.faults.authorize = 'hang'
    const started = Date.now()
    expect(await silently(page, { timeoutSeconds: 1 })).toEqual({ code: 'timeout' })
    expect(Date.now() - started).toBeLessThan(3_000)
    expect(await framesOn(page)).toBe(0)
    e2e.server.faults.authorize = null
  })

  test('restoreSession with a hanging server gives up with timeout, it does not hang the start', async () => {
    e2e.server.faults.authorize = 'hang'
    const started = Date.now()
    const page = await openApp()
    expect(await appReady(page)).toMatchObject({ restoreError: 'timeout' })
    expect(Date.now() - started).toBeLessThan(3_000 + 2_000)
    expect(await framesOn(page)).toBe(0)
    e2e.server.faults.authorize = null
  })

  test('an app on 127.0.0.1 with the server on localhost (cross-site): fails cleanly and fast', async () => {
    // A session at the server, made from the localhost app.
    const home = await openApp()
    const popup = await startPopupLogin(home)
    await signInIn(popup)
    expect(await outcomeOf(home)).toMatchObject({ sub: 'alice' })
    const started = Date.now()
    const page = await openApp(`http://127.0.0.1:${e2e.app.port}`)
    expect(await appReady(page)).toMatchObject({ restored: false })
    expect(await silently(page)).toEqual({ code: 'authorization_error', error: 'login_required' })
    expect(Date.now() - started).toBeLessThan(3_000)
    expect(await framesOn(page)).toBe(0)
    // The same-site app still gets its session silently.
    expect(await silently(home)).toEqual({ sub: 'alice' })
  })
})

describe('with latchkey/tabs', () => {
  test('a popup login in one tab signs in the other open tabs, with no request of theirs', async () => {
    e2e.setClientOptions({ withTabs: true })
    try {
      const other = await openApp()
      const page = await openApp()
      expect(await other.evaluate(() => window.auth.isAuthenticated())).toBe(false)
      const popup = await startPopupLogin(page)
      await signInIn(popup)
      expect((await outcomeOf(page)).sub).toBe('alice')
      await other.waitForFunction(() => window.auth.isAuthenticated())
      expect(await other.evaluate(() => window.auth.getTokens())).toEqual(
        await page.evaluate(() => window.auth.getTokens()),
      )
      expect(await other.evaluate(() => window.e2e.events)).toEqual(['login'])
      expect(e2e.server.stats.token.authorization_code).toBe(1)
      expect(e2e.server.stats.tokenRequests).toBe(1)
    } finally {
      e2e.setClientOptions({})
    }
  })
})
