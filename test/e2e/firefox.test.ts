// The built ES module in Firefox (puppeteer-core over WebDriver BiDi) against the local
// oidc-provider, and the fact the silent-login work relies on: a hidden iframe gets the server's
// session cookie only when app and server are the same site.
import type { BrowserContext, Page } from 'puppeteer-core'
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { authorizeRequest } from '../support/authorize-request.mjs'
import { claimsOf } from '../support/e2e'
import { exchangeFromNode } from '../support/node-login.mjs'
import { type PageServer, startPageServer } from '../support/page-server.mjs'
import {
  appReady,
  expectNoLeak,
  type FirefoxE2E,
  signIn,
  startFirefoxE2E,
} from '../support/puppeteer-e2e'
import { loadInHiddenFrame } from '../support/silent-frame.mjs'

let e2e: FirefoxE2E
/** A blank app page at http://localhost:P (same site as the server) and http://127.0.0.1:P. */
let blank: PageServer
let context: BrowserContext
let page: Page

/** The page of `context` whose URL passes `test`, waiting up to 5 s (polled every 50 ms). */
const pageAt = async (context: BrowserContext, test: (url: URL) => boolean): Promise<Page> => {
  for (let tries = 0; tries < 100; tries++) {
    for (const candidate of await context.pages()) {
      if (test(new URL(candidate.url()))) return candidate
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  const urls = (await context.pages()).map((candidate) => candidate.url())
  throw new Error(`no such page within 5 s, only ${urls.join(' ')}`)
}

beforeAll(async () => {
  blank = await startPageServer()
  e2e = await startFirefoxE2E(
    {},
    {
      extraRedirectUris: [`${blank.origin}/callback`, `http://127.0.0.1:${blank.port}/callback`],
    },
  )
})
afterAll(async () => {
  await e2e?.close()
  await blank?.close()
})
beforeEach(async () => {
  e2e.server.stats.reset()
  await context?.close()
  context = await e2e.newContext()
  page = await context.newPage()
})

describe('Firefox', () => {
  test('the ES module: login → callback → code exchange → tokens in memory only', async () => {
    const { app, server } = e2e
    await page.goto(`${app.origin}/esm.html`)
    await appReady(page)

    await signIn(page, app.origin)
    const state = await appReady(page)
    expect(state.error).toBeUndefined()
    expect(state.appState).toEqual({ returnTo: '/inbox' })
    expect(state.events).toEqual(['login'])
    expect(server.stats.token.authorization_code).toBe(1)

    const tokens = await page.evaluate(() => window.auth.getTokens())
    expect(tokens.tokenType).toBe('Bearer')
    expect(claimsOf(tokens.accessToken)).toMatchObject({
      aud: server.audience,
      iss: server.issuer,
      sub: 'alice',
    })
    expect(tokens.refreshToken).toEqual(expect.any(String))
    expect(await page.evaluate(() => window.auth.getUser()?.sub)).toBe('alice')
    expect(page.url()).toBe(`${app.origin}/esm.html`)

    const api = await page.evaluate(async (apiUrl) => {
      const response = await window.auth.fetch(apiUrl)
      return { status: response.status, body: await response.json() }
    }, `${server.issuer}/api/messages`)
    expect(api).toMatchObject({ status: 200, body: { sub: 'alice' } })
    expect(e2e.issued.codes.size).toBe(1)
    await expectNoLeak(e2e, context, [tokens.accessToken, tokens.refreshToken, tokens.idToken])
  })

  test('a hidden prompt=none iframe gets a code same-site and login_required cross-site', async () => {
    const { server } = e2e
    const crossSite = `http://127.0.0.1:${blank.port}`
    // A session at the server, made at the top level.
    const login = authorizeRequest(server, `${blank.origin}/callback`)
    await page.goto(login.url)
    await page.type('input[name=login]', 'alice')
    await page.type('input[name=password]', 'alice')
    await Promise.all([
      page.waitForFunction((origin) => location.origin === origin, { timeout: 5000 }, blank.origin),
      page.click('button[type=submit]'),
    ])

    const silent = async (origin: string) => {
      await page.goto(`${origin}/`)
      const request = authorizeRequest(server, `${origin}/callback`, { prompt: 'none' })
      const callback = await page.evaluate(loadInHiddenFrame, {
        url: request.url,
        redirectPrefix: `${request.redirectUri}?`,
        timeoutMs: 3000,
      })
      return { request, callback }
    }

    const same = await silent(blank.origin)
    expect(same.callback).toMatchObject({ state: same.request.state, iss: server.issuer })
    const exchanged = await exchangeFromNode(server, {
      callback: same.callback,
      verifier: same.request.verifier,
      redirectUri: same.request.redirectUri,
    })
    expect(exchanged).toMatchObject({ status: 200, body: { token_type: 'Bearer' } })

    // Firefox keeps another site's cookies out of the frame (SameSite=Lax, and partitioning).
    const cross = await silent(crossSite)
    expect(cross.callback).toMatchObject({
      error: 'login_required',
      state: cross.request.state,
      iss: server.issuer,
    })
    expect(cross.callback.code).toBeUndefined()

    // The session itself is fine: at the top level, that site's navigation carries the cookie.
    const topLevel = authorizeRequest(server, `${crossSite}/callback`, { prompt: 'none' })
    await page.goto(topLevel.url)
    await page.waitForFunction((origin) => location.origin === origin, { timeout: 5000 }, crossSite)
    expect(new URL(page.url()).searchParams.get('code')).toEqual(expect.any(String))

    expect(server.stats.authorize).toEqual({ requests: 4, promptNone: 3 })
    expect(server.stats.authorizationErrors).toEqual(['login_required'])
  })

  test('COOP on the sign-in pages severs the popup from the app, for good', async () => {
    const { server } = e2e
    /** Opens the sign-in in a popup from the app page, signs in, reports what each side saw. */
    const popupLogin = async () => {
      await page.goto(`${blank.origin}/`)
      // prompt=login: the form every time, though the first round left a session.
      const request = authorizeRequest(server, `${blank.origin}/callback`, { prompt: 'login' })
      const popupOpened = new Promise<Page | null>((resolve) => page.once('popup', resolve))
      await page.evaluate((url) => {
        ;(window as unknown as { popup: Window | null }).popup = window.open(url, 'login', 'popup')
      }, request.url)
      await popupOpened
      // With COOP, Firefox moves the popup to a new browsing context (a new page for puppeteer):
      // look the sign-in page up among the context's pages.
      const popup = await pageAt(context, (url) => url.pathname.startsWith('/interaction/'))
      await popup.waitForSelector('input[name=login]', { timeout: 5000 })
      const openerInPopup = await popup.evaluate(() => window.opener !== null)
      const closedSeenByApp = await page.evaluate(
        () => (window as unknown as { popup: Window }).popup.closed,
      )
      await popup.type('input[name=login]', 'alice')
      await popup.type('input[name=password]', 'alice')
      await Promise.all([
        popup.waitForFunction(
          (origin) => location.origin === origin,
          { timeout: 5000 },
          blank.origin,
        ),
        popup.click('button[type=submit]'),
      ])
      const openerAtCallback = await popup.evaluate(() => window.opener !== null)
      await popup.close()
      return { openerInPopup, closedSeenByApp, openerAtCallback }
    }
    expect(await popupLogin()).toEqual({
      openerInPopup: true,
      closedSeenByApp: false,
      openerAtCallback: true,
    })
    server.settings.coop = true
    try {
      expect(await popupLogin()).toEqual({
        openerInPopup: false,
        closedSeenByApp: true,
        openerAtCallback: false,
      })
    } finally {
      server.settings.coop = false
    }
  })
})
