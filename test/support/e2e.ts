import type { Browser, BrowserContext, Page } from 'playwright-core'
import { expect } from 'vitest'
import { startAuthServer } from '../../server/auth-server.mjs'
import { startAppServer } from './app-server.mjs'
import { blockExternal, launchChromium } from './chromium.mjs'
import { DPOP_SESSIONS_PLACE, readPagePlaces } from './page-places'

/** What the test app (test/e2e/pages/app.js) exposes on `window`. */
export interface AppState {
  events: string[]
  ready: boolean
  appState?: unknown
  /** What `restoreSession` answered at start (pages that import latchkey/silent). */
  restored?: boolean
  /** The code of what `restoreSession` threw at start (popup.html keeps it instead of throwing). */
  restoreError?: string
  error?: {
    code: string
    message: string
    isAuthError: boolean
    /** The server's details, as the AuthError carries them. */
    error?: string
    errorDescription?: string
    errorUri?: string
    status?: number
    retryAfter?: number
    /** `JSON.stringify(error)`, what an app's error reporting would send. */
    json?: string
  }
}

declare global {
  interface Window {
    // biome-ignore lint/suspicious/noExplicitAny: the page's latchkey client, typed loosely on purpose
    auth: any
    e2e: AppState
    /** The `<script>` bundle's global (iife.html). */
    Latchkey: typeof import('../../src/index')
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
  /** Every authorization code and token the server issued in this run, for the leak checks. */
  issued: { codes: Set<string>; tokens: Set<string> }
  /**
   * A fresh browser context (no cookies, no storage) that cannot reach other hosts. Its
   * requests, console and page errors are recorded for {@link expectNoLeakEverywhere}.
   */
  newContext(): Promise<BrowserContext>
  /**
   * Replaces the `clientOptions` given to `startE2E` for the pages loaded from now on (each page
   * reads them from /config.js when it loads).
   */
  setClientOptions(clientOptions: Record<string, unknown>): void
  close(): Promise<void>
}

/**
 * Starts the app server, the local authorization server (with the test pages as redirect URIs)
 * and Chromium. `clientOptions` reach `createClient` in the test pages; `appOptions` can serve
 * other pages (a built example app) in their place.
 */
export const startE2E = async (
  serverOptions: Parameters<typeof startAuthServer>[0] = {},
  clientOptions: Record<string, unknown> = {},
  appOptions: Parameters<typeof startAppServer>[0] = {},
): Promise<E2E> => {
  const app = await startAppServer(appOptions)
  const server = await startAuthServer({
    port: 0,
    quiet: true,
    redirectUris: [
      ...['iife.html', 'esm.html', 'tabs.html', 'popup.html', 'dpop.html', 'callback'].map(
        (page) => `${app.origin}/${page}`,
      ),
      // The same app on another site than the server, for the cross-site silent login.
      `http://127.0.0.1:${app.port}/popup.html`,
    ],
    ...serverOptions,
  })
  app.setApi(server.issuer)
  const setClientOptions = (options: Record<string, unknown>) =>
    app.setConfig({
      issuer: server.issuer,
      clientId: server.clientId,
      audience: server.audience,
      options: { apiOrigins: [server.issuer], ...options },
    })
  setClientOptions(clientOptions)
  const browser = await launchChromium()
  const contexts: BrowserContext[] = []
  const issued = { codes: new Set<string>(), tokens: new Set<string>() }
  recordIssued(server, issued)
  return {
    app,
    server,
    browser,
    issued,
    async newContext() {
      const context = await browser.newContext()
      await blockExternal(context)
      watchContext(context)
      contexts.push(context)
      return context
    },
    setClientOptions,
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

/** Records every code (authorization responses) and token (token responses) the server issues. */
const recordIssued = (server: E2E['server'], issued: E2E['issued']): void => {
  server.provider.on('authorization.success', (_ctx: unknown, out: { code?: unknown }) => {
    if (typeof out?.code === 'string') issued.codes.add(out.code)
  })
  server.provider.on('grant.success', (ctx: { body?: Record<string, unknown> }) => {
    for (const name of ['access_token', 'refresh_token', 'id_token']) {
      const value = ctx.body?.[name]
      if (typeof value === 'string') issued.tokens.add(value)
    }
  })
}

/** What a browser context did that could carry a secret off the page. */
export interface ContextLog {
  /** Every console message of every page, as text. */
  console: string[]
  /** Uncaught errors of every page. */
  pageErrors: string[]
  /** Every request of every page, the authorization server's included. */
  requests: { url: string; method: string; referer: string; navigation: boolean }[]
}

const logs = new WeakMap<BrowserContext, ContextLog>()

/** Starts recording a context's requests, console and page errors (done by `newContext`). */
export const watchContext = (context: BrowserContext): ContextLog => {
  const log: ContextLog = { console: [], pageErrors: [], requests: [] }
  context.on('console', (message) => {
    log.console.push(message.text())
  })
  context.on('weberror', (error) => {
    log.pageErrors.push(`${error.error().message}\n${error.error().stack ?? ''}`)
  })
  context.on('request', (request) => {
    log.requests.push({
      url: request.url(),
      method: request.method(),
      referer: request.headers().referer ?? '',
      navigation: request.isNavigationRequest(),
    })
  })
  logs.set(context, log)
  return log
}

/** The log of a context made by `newContext` (or passed to {@link watchContext}). */
export const contextLog = (context: BrowserContext): ContextLog => {
  const log = logs.get(context)
  if (!log)
    throw new Error('contextLog: this context is not watched: make it with e2e.newContext()')
  return log
}

/** Every URL that brought an authorization response (`state`) to the app, in order. */
export const callbacksSeen = (context: BrowserContext, appOrigin: string): string[] =>
  contextLog(context)
    .requests.filter((r) => r.navigation && r.url.startsWith(`${appOrigin}/`))
    .map((r) => r.url)
    .filter((url) => new URL(url).searchParams.has('state'))

/** Authorization codes that reached the app: the `code` of every callback navigation. */
export const codesSeen = (context: BrowserContext, appOrigin: string): string[] =>
  callbacksSeen(context, appOrigin)
    .flatMap((url) => new URL(url).searchParams.getAll('code'))
    .filter(Boolean)

/**
 * Signs in from the page but stops the browser before the redirect URI: the sign-in form's POST
 * and the authorization server's redirects are followed outside the page (with the context's
 * cookies) until one points at the app, and the form POST is answered 204, so the page stays on
 * the sign-in form, the code stays unused and the transaction stays in this tab. Returns the
 * callback URL, for a test to replay or rewrite. (Playwright cannot route a request that a
 * redirect made, so the chain is stopped at its first request.)
 */
export const signInAndHoldCallback = async (
  page: Page,
  e2e: Pick<E2E, 'app' | 'server'>,
): Promise<string> => {
  let held: (url: string) => void = () => {}
  let failed: (error: unknown) => void = () => {}
  const callback = new Promise<string>((resolve, reject) => {
    held = resolve
    failed = reject
  })
  await page.route(
    (url) => url.origin === e2e.server.issuer && url.pathname.startsWith('/interaction/'),
    async (route) => {
      if (route.request().method() !== 'POST') return route.fallback()
      try {
        let response = await route.fetch({ maxRedirects: 0 })
        let location = new URL(response.headers().location ?? '', e2e.server.issuer)
        for (let hops = 0; location.origin !== e2e.app.origin; hops++) {
          if (hops > 5) throw new Error(`no redirect to the app, last: ${location.href}`)
          response = await page.context().request.get(location.href, { maxRedirects: 0 })
          location = new URL(response.headers().location ?? '', location)
        }
        await route.fulfill({ status: 204 })
        held(location.href)
      } catch (error) {
        failed(error)
        await route.abort()
      }
    },
  )
  await signIn(page)
  return callback
}

/**
 * Everything a page of the context can still show: Web Storage, cookies, IndexedDB (names and
 * every record), the URL, history state and every history entry's URL (read over CDP).
 */
const pagePlaces = async (page: Page): Promise<Record<string, string>> => {
  if (page.isClosed()) return {}
  const inPage = await page.evaluate(readPagePlaces)
  const cdp = await page.context().newCDPSession(page)
  try {
    const { entries } = await cdp.send('Page.getNavigationHistory')
    return { ...inPage, historyEntries: entries.map((entry) => entry.url).join('\n') }
  } finally {
    await cdp.detach()
  }
}

/**
 * The one exception to rule 17 (security.md rule 24): `dpop({ persist: true })` keeps the
 * session's refresh token in IndexedDB, database `latchkey-dpop`, store `sessions`, beside its
 * key. Each record there must be exactly `{ refreshToken, jkt }`, and its refresh token one the
 * server bound to that very key (oidc-provider's stored `jkt`; a rotated-out one is still
 * found): then that token is taken out of the text. Anything else in the store (another member,
 * another token, a Bearer refresh token, a token bound elsewhere) stays in and is a leak. Without
 * the server at hand, nothing is taken out.
 */
const withoutBoundRefreshTokens = async (
  e2e: Partial<Pick<E2E, 'server'>>,
  records: string,
): Promise<string> => {
  const parsed = JSON.parse(records) as Record<string, unknown>[]
  const kept: unknown[] = []
  for (const record of parsed) {
    const { refreshToken, jkt } = record
    const found =
      Object.keys(record).sort().join() === 'jkt,refreshToken' && typeof refreshToken === 'string'
        ? await e2e.server?.provider.RefreshToken.find(refreshToken, { ignoreExpiration: true })
        : undefined
    kept.push(found?.jkt && found.jkt === jkt ? { jkt } : record)
  }
  return JSON.stringify(kept)
}

/**
 * security.md rule 17, after every e2e test. No token the server issued in this run (nor any in
 * `secrets`) and no authorization code is in any page's storage, IndexedDB, URL, history entries,
 * history state or DOM; in the cookies of any origin; in the app's `e2e.error` (message and
 * JSON); in the `Referer` of any request, seen by the browser or by the app server (a Referer
 * never carries `code=` at all); or in the URL of any request (a code only in the navigation that
 * brings it to the redirect URI). No token is in any console message or page error.
 *
 * Codes are not looked for in the console: a stack trace through an inline script of the
 * redirect page names the script after the page's URL as it was loaded, `?code=…` included
 * (docs/security.md).
 */
export const expectNoLeakEverywhere = async (
  e2e: Pick<E2E, 'app' | 'issued'> & Partial<Pick<E2E, 'server'>>,
  context: BrowserContext,
  secrets: string[] = [],
): Promise<void> => {
  const log = contextLog(context)
  const codes = new Set([...e2e.issued.codes, ...codesSeen(context, e2e.app.origin)])
  const tokens = [...new Set([...e2e.issued.tokens, ...secrets])].filter(Boolean)
  const all = [...codes, ...tokens]
  const leaks: string[] = []
  const look = (place: string, text: string, secretsHere = all) => {
    for (const secret of secretsHere) {
      const at = text.indexOf(secret)
      if (at >= 0) leaks.push(`${place}: ${text.slice(Math.max(0, at - 60), at + secret.length)}`)
    }
  }
  for (const [index, page] of context.pages().entries()) {
    const { [DPOP_SESSIONS_PLACE]: dpopSessions = '[]', ...places } = await pagePlaces(page)
    for (const [place, text] of Object.entries(places)) look(`page ${index} ${place}`, text)
    look(`page ${index} ${DPOP_SESSIONS_PLACE}`, await withoutBoundRefreshTokens(e2e, dpopSessions))
    if (!page.isClosed()) {
      const error = await page.evaluate(() => window.e2e?.error)
      if (error) look(`page ${index} e2e.error`, `${error.message}\n${error.json ?? ''}`)
    }
  }
  const cookies = await context.cookies()
  look('cookies (every origin)', cookies.map((c) => `${c.name}=${c.value}`).join('\n'))
  for (const [i, text] of log.console.entries()) look(`console #${i}`, text, tokens)
  for (const [i, text] of log.pageErrors.entries()) look(`page error #${i}`, text, tokens)
  const codeParam = /[?&]code=/
  const callbacks = new Set(callbacksSeen(context, e2e.app.origin))
  for (const request of log.requests) {
    const where = `${request.method} ${request.url.slice(0, 120)}`
    look(`Referer of ${where}`, request.referer)
    if (codeParam.test(request.referer)) leaks.push(`Referer of ${where}: ${request.referer}`)
    look(`URL of ${where}`, request.url, callbacks.has(request.url) ? tokens : all)
  }
  for (const line of e2e.app.requests) {
    const referer = line.slice(line.indexOf(' referer=') + ' referer='.length)
    look(`app server log referer (${line.slice(0, 80)})`, referer)
    if (codeParam.test(referer)) leaks.push(`app server log: ${line}`)
  }
  expect(leaks, 'secrets found outside memory').toEqual([])
}
