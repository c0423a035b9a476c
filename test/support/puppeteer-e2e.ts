/**
 * The e2e helpers for puppeteer-core (Firefox over WebDriver BiDi), a small counterpart of the
 * Playwright ones in e2e.ts: start the servers and Firefox, wait for the test app, sign in, and
 * check that no secret is anywhere but in memory.
 */
import type { Browser, BrowserContext, Page } from 'puppeteer-core'
import { expect } from 'vitest'
import { startAuthServer } from '../../server/auth-server.mjs'
import { startAppServer } from './app-server.mjs'
import type { AppState } from './e2e'
import { launchFirefox } from './firefox.mjs'
import { readPagePlaces } from './page-places'

/** The pieces of one Firefox e2e run. */
export interface FirefoxE2E {
  app: Awaited<ReturnType<typeof startAppServer>>
  server: Awaited<ReturnType<typeof startAuthServer>>
  browser: Browser
  /** Every authorization code and token the server issued in this run, for the leak checks. */
  issued: { codes: Set<string>; tokens: Set<string> }
  /** A fresh browser context: no cookies, no storage. */
  newContext(): Promise<BrowserContext>
  close(): Promise<void>
}

/**
 * Starts the app server (test pages, built bundles), the local authorization server with the
 * test pages (and `extraRedirectUris`) as redirect URIs, and a headless Firefox.
 */
export const startFirefoxE2E = async (
  serverOptions: Parameters<typeof startAuthServer>[0] = {},
  { clientOptions = {}, extraRedirectUris = [] as string[] } = {},
): Promise<FirefoxE2E> => {
  const app = await startAppServer()
  const server = await startAuthServer({
    port: 0,
    quiet: true,
    redirectUris: [
      ...['iife.html', 'esm.html', 'popup.html', 'dpop.html', 'callback'].map(
        (page) => `${app.origin}/${page}`,
      ),
      `http://127.0.0.1:${app.port}/popup.html`,
      ...extraRedirectUris,
    ],
    ...serverOptions,
  })
  app.setApi(server.issuer)
  app.setConfig({
    issuer: server.issuer,
    clientId: server.clientId,
    audience: server.audience,
    options: { apiOrigins: [server.issuer], ...clientOptions },
  })
  const issued = { codes: new Set<string>(), tokens: new Set<string>() }
  server.provider.on('authorization.success', (_ctx: unknown, out: { code?: unknown }) => {
    if (typeof out?.code === 'string') issued.codes.add(out.code)
  })
  server.provider.on('grant.success', (ctx: { body?: Record<string, unknown> }) => {
    for (const name of ['access_token', 'refresh_token', 'id_token']) {
      const value = ctx.body?.[name]
      if (typeof value === 'string') issued.tokens.add(value)
    }
  })
  const browser = await launchFirefox()
  return {
    app,
    server,
    browser,
    issued,
    newContext: () => browser.createBrowserContext(),
    async close() {
      await browser.close()
      await server.close()
      await app.close()
    },
  }
}

/** Waits until the test app has started (and handled a callback when there was one). */
export const appReady = async (page: Page): Promise<AppState> => {
  await page.waitForFunction(() => window.e2e?.ready === true, { timeout: 5000 })
  return page.evaluate(() => window.e2e)
}

/** Starts a login from the test app and signs in on the server's form; resolves back on the app. */
export const signIn = async (page: Page, appOrigin: string, user = 'alice'): Promise<void> => {
  await Promise.all([
    page.waitForNavigation({ timeout: 5000 }),
    page.evaluate(() => {
      void window.auth.login({ appState: { returnTo: '/inbox' } })
    }),
  ])
  expect(new URL(page.url()).pathname).toMatch(/^\/interaction\//)
  await page.type('input[name=login]', user)
  await page.type('input[name=password]', user)
  await Promise.all([
    page.waitForFunction((origin) => location.origin === origin, { timeout: 5000 }, appOrigin),
    page.click('button[type=submit]'),
  ])
}

/**
 * Rule 17 in Firefox: no code or token of the run (nor any of `secrets`) in any page's Web
 * Storage, IndexedDB (names and records), URL, history state or DOM, nor in any cookie.
 */
export const expectNoLeak = async (
  e2e: Pick<FirefoxE2E, 'issued'>,
  context: BrowserContext,
  secrets: string[] = [],
): Promise<void> => {
  const all = [...e2e.issued.codes, ...e2e.issued.tokens, ...secrets].filter(Boolean)
  expect(all.length, 'the run issued something to look for').toBeGreaterThan(0)
  const leaks: string[] = []
  const look = (place: string, text: string) => {
    for (const secret of all) {
      if (text.includes(secret)) leaks.push(`${place}: …${secret.slice(0, 12)}…`)
    }
  }
  for (const [index, page] of (await context.pages()).entries()) {
    // latchkey/dpop's persisted sessions count like any other place here: a run that persists
    // a session checks after logout, when there is none.
    const places = await page.evaluate(readPagePlaces)
    for (const [place, text] of Object.entries(places)) look(`page ${index} ${place}`, text)
  }
  const cookies = await context.cookies()
  look('cookies (every origin)', cookies.map((c) => `${c.name}=${c.value}`).join('\n'))
  expect(leaks, 'secrets found outside memory').toEqual([])
}
