// latchkey/popup and latchkey/silent in Firefox (puppeteer-core over WebDriver BiDi) against the
// local oidc-provider, on the built bundles: the cases where Firefox differs from Chromium
// (third-party cookies partitioned by default, its own popup blocker and COOP handling).
import type { BrowserContext, Page } from 'puppeteer-core'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import {
  appReady,
  expectNoLeak,
  type FirefoxE2E,
  signIn,
  startFirefoxE2E,
} from '../support/puppeteer-e2e'

let e2e: FirefoxE2E
let context: BrowserContext

beforeAll(async () => {
  e2e = await startFirefoxE2E()
})
afterAll(() => e2e?.close())
beforeEach(async () => {
  e2e.server.stats.reset()
  e2e.server.settings.coop = false
  context = await e2e.newContext()
})
afterEach(async () => {
  await expectNoLeak(e2e, context)
  await context.close()
})

const PAGE = '/popup.html'

interface Outcome {
  code?: string
  sub?: string
}

const openApp = async (origin = e2e.app.origin): Promise<Page> => {
  const page = await context.newPage()
  await page.goto(`${origin}${PAGE}`)
  await appReady(page)
  return page
}

/** The page of the context whose URL passes `test`, waiting up to 5 s. */
const pageAt = async (test: (url: URL) => boolean): Promise<Page> => {
  for (let tries = 0; tries < 100; tries++) {
    for (const candidate of await context.pages()) {
      if (test(new URL(candidate.url()))) return candidate
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error('no such page within 5 s')
}

/** A real click (user activation, as Firefox's popup blocker wants) starts loginWithPopup. */
const loginInPopup = async (page: Page): Promise<Outcome> => {
  await page.evaluate(() => {
    const button = document.createElement('button')
    button.id = 'popup-login'
    button.textContent = 'Sign in with popup'
    button.onclick = () => {
      window.loginWithPopup(window.auth).then(
        () => {
          window.outcome = { sub: window.auth.getUser()?.sub }
        },
        (error: { code: string }) => {
          window.outcome = { code: error.code }
        },
      )
    }
    document.body.append(button)
  })
  await page.click('#popup-login')
  const popup = await pageAt((url) => url.pathname.startsWith('/interaction/'))
  await popup.waitForSelector('input[name=login]')
  await popup.type('input[name=login]', 'alice')
  await popup.type('input[name=password]', 'alice')
  await popup.click('button[type=submit]')
  await page.waitForFunction(() => window.outcome, { timeout: 8_000 })
  return page.evaluate(() => window.outcome as Outcome)
}

const silently = (page: Page) =>
  page.evaluate(() =>
    window.authenticateSilently(window.auth).then(
      () => ({ sub: window.auth.getUser()?.sub }),
      (error: { code: string; error?: string }) => ({ code: error.code, error: error.error }),
    ),
  )

const popupsLeft = async () =>
  (await context.pages()).filter((page) => new URL(page.url()).pathname !== PAGE).length

describe('Firefox: loginWithPopup', () => {
  test('logs in in a popup; the app page stays; one token request; the popup closes', async () => {
    const page = await openApp()
    expect(await loginInPopup(page)).toEqual({ sub: 'alice' })
    expect(page.url()).toBe(`${e2e.app.origin}${PAGE}`)
    expect(e2e.server.stats.tokenRequests).toBe(1)
    for (let i = 0; i < 40 && (await popupsLeft()) > 0; i++)
      await new Promise((r) => setTimeout(r, 50))
    expect(await popupsLeft()).toBe(0)
  })

  test('COOP on the login page: the login still completes', async () => {
    e2e.server.settings.coop = true
    const page = await openApp()
    expect(await loginInPopup(page)).toEqual({ sub: 'alice' })
    expect(e2e.server.stats.tokenRequests).toBe(1)
  })
})

describe('Firefox: restoreSession through the hidden iframe', () => {
  test('same site: a reload comes back silently with the same sub, no iframe left', async () => {
    const page = await openApp()
    expect((await appReady(page)).restored).toBe(false)
    await signIn(page, e2e.app.origin)
    expect((await appReady(page)).error).toBeUndefined()
    await page.reload()
    expect((await appReady(page)).restored).toBe(true)
    expect(await page.evaluate(() => window.auth.getUser()?.sub)).toBe('alice')
    expect(await page.evaluate(() => document.querySelectorAll('iframe').length)).toBe(0)
    expect(e2e.server.stats.authorize.promptNone).toBe(2)
  })

  test('cross site (app on 127.0.0.1, server on localhost): false and login_required, fast', async () => {
    const home = await openApp()
    await signIn(home, e2e.app.origin)
    const started = Date.now()
    const page = await openApp(`http://127.0.0.1:${e2e.app.port}`)
    expect((await appReady(page)).restored).toBe(false)
    expect(await silently(page)).toEqual({ code: 'authorization_error', error: 'login_required' })
    expect(Date.now() - started).toBeLessThan(4_000)
    expect(await page.evaluate(() => document.querySelectorAll('iframe').length)).toBe(0)
  })
})
