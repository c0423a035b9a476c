// Silent login (prompt=none in a hidden iframe), the authorize hang fault and the COOP switch,
// in a real headless Chromium. The app is a blank page served at http://localhost:P (same site
// as the server at http://localhost:S) and at http://127.0.0.1:P (another site).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startAuthServer } from '../../server/auth-server.mjs'
import { authorizeRequest } from '../support/authorize-request.mjs'
import { blockExternal, launchChromium } from '../support/chromium.mjs'
import { exchangeFromNode } from '../support/node-login.mjs'
import { startPageServer } from '../support/page-server.mjs'
import { loadInHiddenFrame } from '../support/silent-frame.mjs'

/** @type {import('../support/page-server.mjs').PageServer} */
let app
/** @type {import('../../server/auth-server.mjs').AuthServer} */
let server
/** @type {import('playwright-core').Browser} */
let browser
/** @type {import('playwright-core').BrowserContext} */
let context
/** @type {import('playwright-core').Page} */
let page
let sameSite = ''
let crossSite = ''
/**
 * Every response of the authorization endpoint and the sign-in pages the browser got, in order.
 *
 * @type {{ path: string, headers: Record<string, string> }[]}
 */
let authorizeResponses = []

beforeAll(async () => {
  app = await startPageServer()
  sameSite = app.origin
  crossSite = `http://127.0.0.1:${app.port}`
  ;[server, browser] = await Promise.all([
    startAuthServer({
      port: 0,
      quiet: true,
      redirectUris: [`${sameSite}/callback`, `${crossSite}/callback`],
    }),
    launchChromium(),
  ])
})
afterAll(async () => {
  await browser?.close()
  await Promise.all([server?.close(), app?.close()])
})
beforeEach(async () => {
  server.stats.reset()
  server.faults.clear()
  server.settings.coop = false
  await context?.close()
  context = await browser.newContext()
  await blockExternal(context)
  authorizeResponses = []
  context.on('response', (response) => {
    const path = new URL(response.url()).pathname
    if (/^\/(authorize|interaction)\b/.test(path)) {
      authorizeResponses.push({ path, headers: response.headers() })
    }
  })
  page = await context.newPage()
  page.setDefaultTimeout(5000)
})

/** Signs in at the top level (the server's session cookie is then first-party). */
async function signInTopLevel() {
  const request = authorizeRequest(server, `${sameSite}/callback`)
  await page.goto(request.url)
  await page.fill('input[name=login]', 'alice')
  await page.fill('input[name=password]', 'alice')
  await Promise.all([
    page.waitForURL((url) => url.href.startsWith(`${sameSite}/callback?`)),
    page.click('button[type=submit]'),
  ])
}

/**
 * From a page of `origin`, a prompt=none request in a hidden iframe to `${origin}/callback`.
 *
 * @param {string} origin
 * @param {number} [timeoutMs]
 */
async function silentFrom(origin, timeoutMs = 3000) {
  await page.goto(`${origin}/`)
  const request = authorizeRequest(server, `${origin}/callback`, { prompt: 'none' })
  const callback = await page.evaluate(loadInHiddenFrame, {
    url: request.url,
    redirectPrefix: `${request.redirectUri}?`,
    timeoutMs,
  })
  const frames = await page.evaluate(() => document.querySelectorAll('iframe').length)
  return { request, callback, frames }
}

describe('silent login in a hidden iframe (Chromium)', () => {
  it('gets a code same-site, login_required cross-site, and the cookie is fine at the top level', async () => {
    await signInTopLevel()

    const same = await silentFrom(sameSite)
    expect(same.callback).toMatchObject({ state: same.request.state, iss: server.issuer })
    expect(same.callback.code).toEqual(expect.any(String))
    expect(same.frames).toBe(0)
    // A real code: it exchanges for tokens, a refresh token included (offline_access).
    const tokens = await exchangeFromNode(server, {
      callback: same.callback,
      verifier: same.request.verifier,
      redirectUri: same.request.redirectUri,
    })
    expect(tokens).toMatchObject({ status: 200, body: { token_type: 'Bearer' } })
    expect(tokens.body.refresh_token).toEqual(expect.any(String))
    // Nothing on the redirecting response forbids framing.
    const silentResponse = authorizeResponses.at(-1)?.headers ?? {}
    expect(authorizeResponses.at(-1)?.path).toBe('/authorize')
    expect(silentResponse['x-frame-options']).toBeUndefined()
    expect(silentResponse['content-security-policy'] ?? '').not.toMatch(/frame-ancestors/)

    // 127.0.0.1 is another site than localhost: the SameSite=Lax session cookie stays home.
    const cross = await silentFrom(crossSite)
    expect(cross.callback).toMatchObject({
      error: 'login_required',
      state: cross.request.state,
      iss: server.issuer,
    })
    expect(cross.callback.code).toBeUndefined()

    // The session is still there: a top-level navigation from that site carries the cookie.
    const topLevel = authorizeRequest(server, `${crossSite}/callback`, { prompt: 'none' })
    await page.goto(topLevel.url)
    await page.waitForURL((url) => url.href.startsWith(`${crossSite}/callback?`))
    expect(new URL(page.url()).searchParams.get('code')).toEqual(expect.any(String))

    expect(server.stats.authorize).toEqual({ requests: 4, promptNone: 3 })
    expect(server.stats.authorizationErrors).toEqual(['login_required'])
  })

  it('answers login_required to the same-site iframe when there is no session', async () => {
    const { callback, request } = await silentFrom(sameSite)
    expect(callback).toEqual({
      error: 'login_required',
      error_description: expect.any(String),
      state: request.state,
      iss: server.issuer,
    })
    expect(server.stats.authorize).toEqual({ requests: 1, promptNone: 1 })
  })

  it('hangs /authorize while the fault is on, until the page gives up; then answers again', async () => {
    expect(() => {
      // @ts-expect-error not a fault
      server.faults.authorize = 'explode'
    }).toThrow(/fault must be/)
    server.faults.authorize = 'hang'
    const started = performance.now()
    const hung = await silentFrom(sameSite, 400)
    expect(hung.callback).toEqual({ timeout: 'true' })
    expect(hung.frames).toBe(0)
    expect(performance.now() - started).toBeGreaterThanOrEqual(390)
    expect(server.stats.authorize.requests).toBe(1)
    expect(server.stats.authorizationErrors).toEqual([])

    server.faults.authorize = null
    const answered = await silentFrom(sameSite)
    expect(answered.callback.error).toBe('login_required')
  })
})

describe('the COOP switch (Chromium)', () => {
  /**
   * Opens the authorization request in a popup from the app page; reports what each side sees.
   */
  async function openPopup() {
    await page.goto(`${sameSite}/`)
    const request = authorizeRequest(server, `${sameSite}/callback`)
    const [popup] = await Promise.all([
      page.waitForEvent('popup'),
      page.evaluate((url) => {
        // @ts-expect-error test-only global
        window.popup = window.open(url, 'login', 'popup,width=400,height=600')
      }, request.url),
    ])
    await popup.waitForSelector('input[name=login]')
    const openerInPopup = await popup.evaluate(() => window.opener !== null)
    // @ts-expect-error test-only global
    const closedSeenByApp = await page.evaluate(() => window.popup.closed)
    await popup.fill('input[name=login]', 'alice')
    await popup.fill('input[name=password]', 'alice')
    await Promise.all([
      popup.waitForURL((url) => url.href.startsWith(`${sameSite}/callback?`)),
      popup.click('button[type=submit]'),
    ])
    const openerAtCallback = await popup.evaluate(() => window.opener !== null)
    const coop = authorizeResponses.map(
      ({ path, headers }) =>
        `${path.replace(/^(\/[^/]+)\/.+$/, '$1/…')} ${headers['cross-origin-opener-policy'] ?? 'none'}`,
    )
    await popup.close()
    return { openerInPopup, closedSeenByApp, openerAtCallback, coop }
  }

  it('keeps the opener without COOP', async () => {
    expect(await openPopup()).toEqual({
      openerInPopup: true,
      closedSeenByApp: false,
      openerAtCallback: true,
      coop: ['/authorize none', '/interaction/… none', '/interaction/… none', '/authorize/… none'],
    })
  })

  it('severs the opener for good with COOP on, also once the popup is back on the app', async () => {
    server.settings.coop = true
    expect(await openPopup()).toEqual({
      openerInPopup: false,
      closedSeenByApp: true,
      openerAtCallback: false,
      coop: [
        '/authorize same-origin',
        '/interaction/… same-origin',
        '/interaction/… same-origin',
        '/authorize/… same-origin',
      ],
    })
  })
})
