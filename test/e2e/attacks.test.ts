// The attacks of security.md's "How to test it", replayed in Chromium against the local
// oidc-provider on the built bundles: a forged state, a reloaded, back-buttoned or replayed
// callback, a callback opened in another tab, an `iss` from another server, markup in
// error_description, an open redirect through returnTo, a login past its TTL. After each, nothing
// is stored, nothing leaks, and the token endpoint saw no request it should not have.
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import {
  appReady,
  callbacksSeen,
  contextLog,
  type E2E,
  expectNoLeakEverywhere,
  signIn,
  signInAndHoldCallback,
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
afterEach(async () => {
  e2e.setClientOptions({})
  await expectNoLeakEverywhere(e2e, context)
  await context.close()
})

const counters = () => ({
  tokenRequests: e2e.server.stats.tokenRequests,
  exchanges: e2e.server.stats.token.authorization_code,
})

const openApp = async (file = 'esm.html'): Promise<Page> => {
  const page = await context.newPage()
  await page.goto(`${e2e.app.origin}/${file}`)
  await appReady(page)
  return page
}

/** Goes to a URL on the app and returns what the app made of it. */
const visit = async (page: Page, url: string) => {
  await page.goto(url)
  return appReady(page)
}

const rewrite = (url: string, params: Record<string, string | null>) => {
  const next = new URL(url)
  for (const [name, value] of Object.entries(params)) {
    if (value === null) next.searchParams.delete(name)
    else next.searchParams.set(name, value)
  }
  return next.href
}

/** The pending logins in the page's sessionStorage: every record under a `latchkey.` key. */
const transactions = (page: Page) =>
  page.evaluate(() =>
    Object.keys(sessionStorage)
      .filter((key) => key.startsWith('latchkey.'))
      .flatMap((key) => JSON.parse(sessionStorage.getItem(key) ?? '[]') as unknown[]),
  )

describe('the authorization request in Chromium (rules 1, 2, 3)', () => {
  test('rules 1, 2, 3: each login sends S256 with a 43-character challenge and a fresh state and nonce', async () => {
    const page = await openApp()
    const authorizeQueries: URLSearchParams[] = []
    for (let i = 0; i < 2; i++) {
      await page.evaluate(() => {
        void window.auth.login()
      })
      await page.waitForURL(/\/interaction\//)
      const sent = contextLog(context).requests.filter((r) => r.url.includes('/authorize?'))
      authorizeQueries.push(new URL(sent.at(-1)?.url ?? '').searchParams)
      await page.goto(`${e2e.app.origin}/esm.html`)
      await appReady(page)
    }
    const [first, second] = authorizeQueries
    for (const query of authorizeQueries) {
      expect(query.get('code_challenge_method')).toBe('S256')
      expect(query.get('code_challenge')).toMatch(/^[\w-]{43}$/)
      expect(query.get('state')).toMatch(/^[\w-]{43}$/)
      expect(query.get('nonce')).toMatch(/^[\w-]{43}$/)
    }
    for (const name of ['code_challenge', 'state', 'nonce']) {
      expect(first?.get(name)).not.toBe(second?.get(name))
    }
    expect(await transactions(page)).toHaveLength(2)
  })
})

describe('forged and replayed callbacks (rules 3, 8)', () => {
  test('rule 3: a forged state while a login is pending → state_mismatch, zero token requests; the real login still completes', async () => {
    const page = await openApp()
    const callback = await signInAndHoldCallback(page, e2e)
    const before = counters()

    const forged = await visit(page, rewrite(callback, { state: 'forged-by-the-attacker' }))
    expect(forged.error).toMatchObject({ code: 'state_mismatch', isAuthError: true })
    expect(counters()).toEqual(before)
    expect(await page.evaluate(() => window.auth.getTokens())).toBeUndefined()
    expect(await transactions(page)).toHaveLength(1)

    // The forged answer burnt nothing: the real one, still unused, completes.
    const real = await visit(page, callback)
    expect(real.error).toBeUndefined()
    expect(real.events).toEqual(['login'])
    expect(counters()).toEqual({
      tokenRequests: before.tokenRequests + 1,
      exchanges: before.exchanges + 1,
    })
  })

  test('rule 3: a callback with a state this tab never made and no login pending → missing_transaction, zero token requests', async () => {
    const page = await openApp()
    const before = counters()
    const state = await visit(page, `${e2e.app.origin}/esm.html?code=stolen-code&state=made-up`)
    expect(state.error).toMatchObject({ code: 'missing_transaction', isAuthError: true })
    expect(counters()).toEqual(before)
    expect(new URL(page.url()).search).toBe('')
  })

  test('rule 8: after a successful login, a reload is no callback, and the original callback URL again → missing_transaction, no second exchange', async () => {
    const page = await openApp()
    await signIn(page)
    await page.waitForURL(`${e2e.app.origin}/esm.html`)
    expect((await appReady(page)).events).toEqual(['login'])
    const after = counters()

    // latchkey cleaned the URL: the reload is a plain page load (memory, and the session, gone).
    await page.reload()
    const reloaded = await appReady(page)
    expect(reloaded.error).toBeUndefined()
    expect(reloaded.events).toEqual([])
    expect(await page.evaluate(() => window.auth.isCallback())).toBe(false)
    expect(counters()).toEqual(after)

    const [callback] = callbacksSeen(context, e2e.app.origin)
    const replayed = await visit(page, callback as string)
    expect(replayed.error?.code).toBe('missing_transaction')
    expect(replayed.events).toEqual([])
    expect(counters()).toEqual(after)
  })

  test('rule 8: the callback URL replayed while signed in → missing_transaction; the session stays as it was', async () => {
    const page = await openApp()
    await signIn(page)
    await page.waitForURL(`${e2e.app.origin}/esm.html`)
    await appReady(page)
    const tokens = await page.evaluate(() => window.auth.getTokens())
    const after = counters()
    const [callback] = callbacksSeen(context, e2e.app.origin)

    const replay = await page.evaluate(
      (url) =>
        window.auth.handleRedirectCallback(url).then(String, (e: { code: string }) => e.code),
      callback as string,
    )
    expect(replay).toBe('missing_transaction')
    expect(await page.evaluate(() => window.auth.getTokens())).toEqual(tokens)
    expect((await appReady(page)).events).toEqual(['login'])
    expect(counters()).toEqual(after)
  })

  test('rule 8: the back button after a successful login never reaches the callback again: no second exchange', async () => {
    const page = await openApp()
    await signIn(page)
    await page.waitForURL(`${e2e.app.origin}/esm.html`)
    await appReady(page)
    const after = counters()
    const visited: string[] = []

    // Back through the login pages to the app's first page, then forward again.
    while (await page.goBack()) visited.push(page.url())
    while (await page.goForward()) visited.push(page.url())

    expect(visited.length).toBeGreaterThanOrEqual(2)
    expect(visited.filter((url) => /[?&](code|state)=/.test(url))).toEqual([])
    expect(page.url()).toBe(`${e2e.app.origin}/esm.html`)
    const state = await appReady(page)
    expect(state.error).toBeUndefined()
    expect(counters()).toEqual(after)
  })

  test('rule 3: the callback opened in a new tab → missing_transaction (sessionStorage is per tab), zero token requests; the login tab still completes', async () => {
    const page = await openApp()
    const callback = await signInAndHoldCallback(page, e2e)
    const before = counters()

    const otherTab = await context.newPage()
    const inOtherTab = await visit(otherTab, callback)
    expect(inOtherTab.error?.code).toBe('missing_transaction')
    expect(counters()).toEqual(before)
    expect(await otherTab.evaluate(() => window.auth.getTokens())).toBeUndefined()

    const inLoginTab = await visit(page, callback)
    expect(inLoginTab.error).toBeUndefined()
    expect(counters().exchanges).toBe(before.exchanges + 1)
  })
})

describe('a response from another server (rule 6, RFC 9207)', () => {
  test.each<[string, string | null]>([
    ['another issuer', 'https://evil.example'],
    ['the issuer with a trailing slash', 'ISSUER/'],
    ['no iss (the server promises one)', null],
  ])(
    'rule 6: a real callback with %s → issuer_mismatch, zero token requests, the transaction spent',
    async (_, iss) => {
      const page = await openApp()
      const callback = await signInAndHoldCallback(page, e2e)
      expect(new URL(callback).searchParams.get('iss')).toBe(e2e.server.issuer)
      const before = counters()

      const swapped = rewrite(callback, { iss: iss?.replace('ISSUER', e2e.server.issuer) ?? null })
      const state = await visit(page, swapped)
      expect(state.error).toMatchObject({ code: 'issuer_mismatch', isAuthError: true })
      expect(counters()).toEqual(before)
      expect(await transactions(page)).toEqual([])

      // Spent: not even the genuine response can use that login now.
      expect((await visit(page, callback)).error?.code).toBe('missing_transaction')
      expect(counters()).toEqual(before)
    },
  )
})

describe('attacker-controlled text (rule 7)', () => {
  test('rule 7: markup in error_description stays text: the raw string (capped at 500) in the AuthError, no element in the DOM, no script run', async () => {
    const page = await openApp()
    await page.evaluate(() => {
      void window.auth.login()
    })
    await page.waitForURL(/\/interaction\//)
    const authorize = contextLog(context).requests.find((r) => r.url.includes('/authorize?'))
    const state = new URL(authorize?.url ?? '').searchParams.get('state') as string
    const description = `<img src=x onerror="window.pwned=1"><script>window.pwned=2</script><b>Denied</b>${'é'.repeat(600)}`
    const before = counters()

    const denied = new URL(`${e2e.app.origin}/esm.html`)
    denied.search = new URLSearchParams({
      error: 'access_denied',
      error_description: description,
      error_uri: 'javascript:alert(1)',
      state,
      iss: e2e.server.issuer,
    }).toString()
    const app = await visit(page, denied.href)

    expect(app.error).toMatchObject({
      code: 'authorization_error',
      error: 'access_denied',
      errorDescription: description.slice(0, 500),
      isAuthError: true,
    })
    expect(app.error?.errorUri).toBeUndefined()
    const shown = await page.evaluate(() => {
      const element = document.getElementById('login-error')
      return {
        text: element?.textContent,
        children: element?.childElementCount,
        images: document.images.length,
        scripts: [...document.scripts].filter((s) => s.textContent?.includes('pwned')).length,
        pwned: (window as unknown as { pwned?: number }).pwned,
      }
    })
    expect(shown).toEqual({
      text: description.slice(0, 500),
      children: 0,
      images: 0,
      scripts: 0,
      pwned: undefined,
    })
    expect(counters()).toEqual(before)
  })
})

describe('returnTo and appState (rule 9)', () => {
  test('rule 9: safeReturnTo in Chromium: every open-redirect attempt → "/", a same-origin path is kept', async () => {
    const page = await openApp('iife.html')
    const hostile = [
      '//evil.example',
      '/\\evil.example',
      '\\\\evil.example',
      'https:evil.example',
      'https://evil.example/',
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      '/\t/evil.example',
      '/\n/evil.example',
      ' //evil.example',
      '/.//evil.example',
      '/%2F/evil.example',
      'data:text/html,<script>alert(1)</script>',
      '',
    ]
    const results = await page.evaluate(
      (values) => values.map((value) => window.Latchkey.safeReturnTo(value)),
      hostile,
    )
    expect(Object.fromEntries(hostile.map((value, i) => [value, results[i]]))).toEqual(
      Object.fromEntries(
        hostile.map((value) => [value, value === '/%2F/evil.example' ? value : '/']),
      ),
    )
    expect(
      await page.evaluate(() => window.Latchkey.safeReturnTo('/inbox?folder=1#message-2')),
    ).toBe('/inbox?folder=1#message-2')
  })

  test('rule 9: an appState returnTo of //evil.example never reaches the URL, and safeReturnTo keeps the app on its origin', async () => {
    const page = await openApp('iife.html')
    await page.evaluate(() => {
      void window.auth.login({ appState: { returnTo: '//evil.example/phish' } })
    })
    await page.waitForURL(/\/interaction\//)
    await page.fill('input[name=login]', 'alice')
    await page.fill('input[name=password]', 'alice')
    await page.click('button[type=submit]')
    await page.waitForURL(`${e2e.app.origin}/iife.html`)
    const state = await appReady(page)
    expect(state.appState).toEqual({ returnTo: '//evil.example/phish' })
    const urls = contextLog(context).requests.map((r) => decodeURIComponent(r.url))
    expect(urls.filter((url) => url.includes('evil.example'))).toEqual([])

    const landed = await page.evaluate(() => {
      const { returnTo } = window.e2e.appState as { returnTo: string }
      history.replaceState(null, '', window.Latchkey.safeReturnTo(returnTo))
      return location.href
    })
    expect(landed).toBe(`${e2e.app.origin}/`)
  })
})

describe('a login that took too long (rule 10)', () => {
  test('rule 10: waiting past transactionTtlSeconds on the login form → transaction_expired, zero token requests, nothing left in storage', async () => {
    e2e.setClientOptions({ transactionTtlSeconds: 1 })
    const page = await openApp()
    await page.evaluate(() => {
      void window.auth.login()
    })
    await page.waitForURL(/\/interaction\//)
    await page.waitForTimeout(1500)
    const before = counters()
    await page.fill('input[name=login]', 'alice')
    await page.fill('input[name=password]', 'alice')
    await page.click('button[type=submit]')
    await page.waitForURL(`${e2e.app.origin}/esm.html`)
    const state = await appReady(page)
    expect(state.error).toMatchObject({ code: 'transaction_expired', isAuthError: true })
    expect(counters()).toEqual(before)
    expect(await transactions(page)).toEqual([])
  })
})

describe('the Referer (rules 8, 11, 17)', () => {
  test('rule 8: on a redirect page with no Referrer-Policy of its own, every request after handleRedirectCallback is called carries the clean URL, and latchkey’s own requests none', async () => {
    // A page that sends no Referer until latchkey has been called, then the full URL with every
    // request ('unsafe-url'): if the address bar still held ?code=, these requests would show it.
    e2e.app.setPage(
      '/callback',
      `<!doctype html>
<meta name="referrer" content="no-referrer" id="policy">
<script src="/config.js"></script>
<script type="module">
  import * as Latchkey from '/dist/latchkey.js'
  const { issuer, clientId, audience, options } = window.E2E_CONFIG
  const auth = Latchkey.createClient({
    issuer, clientId, audience, ...options,
    redirectUri: location.origin + location.pathname,
    scope: 'openid profile email offline_access',
  })
  window.auth = auth
  window.e2e = { events: [], ready: false }
  if (auth.isCallback()) {
    const pending = auth.handleRedirectCallback()
    document.getElementById('policy').content = 'unsafe-url'
    await fetch('/probe/after-callback')
    await pending
    await fetch('/probe/after-login')
    window.e2e.events.push('login')
  }
  window.e2e.ready = true
</script>`,
    )
    const page = await context.newPage()
    await page.goto(`${e2e.app.origin}/callback`)
    await appReady(page)
    await signIn(page)
    await page.waitForURL(`${e2e.app.origin}/callback`)
    expect((await appReady(page)).events).toEqual(['login'])

    const referers = Object.fromEntries(
      contextLog(context)
        .requests.filter((r) => /\/probe\/|\/oauth\/token|openid-configuration/.test(r.url))
        .map((r) => [new URL(r.url).pathname, r.referer]),
    )
    expect(referers).toEqual({
      '/probe/after-callback': `${e2e.app.origin}/callback`,
      '/probe/after-login': `${e2e.app.origin}/callback`,
      '/.well-known/openid-configuration': '',
      '/oauth/token': '',
    })
  })
})
