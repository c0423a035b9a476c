import type { Browser, BrowserContext, Page } from 'playwright-core'
import { expect } from 'vitest'
import { startAuthServer } from '../../server/auth-server.mjs'
import { startAppServer } from './app-server.mjs'
import { blockExternal, launchChromium } from './chromium.mjs'

/** What the test app (test/e2e/pages/app.js) exposes on `window`. */
export interface AppState {
  events: string[]
  ready: boolean
  appState?: unknown
  error?: { code: string; message: string; isAuthError: boolean }
}

declare global {
  interface Window {
    // biome-ignore lint/suspicious/noExplicitAny: the page's latchkey client, typed loosely on purpose
    auth: any
    e2e: AppState
  }
}

/** Waits until the test app has started (and handled a callback when there was one). */
export const appReady = async (page: Page): Promise<AppState> => {
  await page.waitForFunction(() => window.e2e?.ready === true)
  return page.evaluate(() => window.e2e)
}

/** Starts a login from the page and signs in on the server's form. */
export const signIn = async (page: Page, user = 'alice', password = user): Promise<void> => {
  await page.evaluate(() => {
    void window.auth.login({ appState: { returnTo: '/inbox' } })
  })
  await page.waitForURL(/\/interaction\//)
  await page.fill('input[name=login]', user)
  await page.fill('input[name=password]', password)
  await page.click('button[type=submit]')
}

/** Decodes a JWT's claims (test side; no checks). */
export const claimsOf = (jwt: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8'))

/**
 * Asserts that no secret of the session is anywhere but in memory: not in localStorage,
 * sessionStorage, cookies (for any origin), IndexedDB, the URL or the history entries' URL.
 */
export const expectNoLeak = async (
  page: Page,
  context: BrowserContext,
  secrets: string[],
): Promise<void> => {
  const places = await page.evaluate(async () => {
    const dump = (storage: Storage) =>
      Object.keys(storage)
        .map((key) => `${key}=${storage.getItem(key)}`)
        .join('\n')
    const databases = (await indexedDB.databases?.())?.map((db) => db.name).join(',') ?? ''
    return {
      localStorage: dump(localStorage),
      sessionStorage: dump(sessionStorage),
      documentCookie: document.cookie,
      url: location.href,
      historyState: JSON.stringify(history.state),
      indexedDB: databases,
    }
  })
  const cookies = (await context.cookies())
    .map((cookie) => `${cookie.name}=${cookie.value}`)
    .join('\n')
  const everything = { ...places, cookies }
  for (const secret of secrets.filter(Boolean)) {
    for (const [place, content] of Object.entries(everything)) {
      expect(content.includes(secret), `a secret leaked into ${place}`).toBe(false)
    }
  }
}

/** The pieces of one e2e run: the app's origin, the local authorization server, a browser. */
export interface E2E {
  app: Awaited<ReturnType<typeof startAppServer>>
  server: Awaited<ReturnType<typeof startAuthServer>>
  browser: Browser
  /** A fresh browser context (no cookies, no storage) that cannot reach other hosts. */
  newContext(): Promise<BrowserContext>
  close(): Promise<void>
}

/**
 * Starts the app server, the local authorization server (with the test pages as redirect URIs)
 * and Chromium. `clientOptions` reach `createClient` in the test pages.
 */
export const startE2E = async (
  serverOptions: Parameters<typeof startAuthServer>[0] = {},
  clientOptions: Record<string, unknown> = {},
): Promise<E2E> => {
  const app = await startAppServer()
  const server = await startAuthServer({
    port: 0,
    quiet: true,
    redirectUris: ['iife.html', 'esm.html', 'callback'].map((page) => `${app.origin}/${page}`),
    ...serverOptions,
  })
  app.setApi(server.issuer)
  app.setConfig({
    issuer: server.issuer,
    clientId: server.clientId,
    audience: server.audience,
    options: { apiOrigins: [server.issuer], ...clientOptions },
  })
  const browser = await launchChromium()
  const contexts: BrowserContext[] = []
  return {
    app,
    server,
    browser,
    async newContext() {
      const context = await browser.newContext()
      await blockExternal(context)
      contexts.push(context)
      return context
    },
    async close() {
      await browser.close()
      await server.close()
      await app.close()
    },
  }
}

/** Sends a refresh_token grant straight to the server, as an attacker holding an old token would. */
export const refreshAtServer = async (server: E2E['server'], refreshToken: string) => {
  const response = await fetch(`${server.issuer}/oauth/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: server.clientId,
      refresh_token: refreshToken,
    }),
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}
