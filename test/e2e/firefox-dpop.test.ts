// latchkey/dpop in Firefox (puppeteer-core over WebDriver BiDi) against oidc-provider with
// nonces required: a non-extractable key in Firefox's IndexedDB, login, the API, and a reload
// that restores the persisted session with one refresh request and no navigation elsewhere.
import { afterAll, beforeAll, expect, test } from 'vitest'
import {
  appReady,
  expectNoLeak,
  type FirefoxE2E,
  signIn,
  startFirefoxE2E,
} from '../support/puppeteer-e2e'

let e2e: FirefoxE2E

beforeAll(async () => {
  e2e = await startFirefoxE2E({ dpopNonce: true }, { clientOptions: { dpopPersist: true } })
})
afterAll(() => e2e?.close())

test('Firefox: DPoP login, API, reload → restoreSession with one refresh; logout empties IndexedDB', async () => {
  const { app, server } = e2e
  const context = await e2e.newContext()
  const page = await context.newPage()
  await page.goto(`${app.origin}/dpop.html`)
  expect((await appReady(page)).restored).toBe(false)
  await signIn(page, app.origin)
  expect((await appReady(page)).error).toBeUndefined()
  const tokens = await page.evaluate(() => window.auth.getTokens())
  expect(tokens.tokenType).toBe('DPoP')
  const api = () =>
    page.evaluate(
      async (url) => (await window.auth.fetch(url)).status,
      `${server.issuer}/api/messages`,
    )
  expect(await api()).toBe(200)
  expect(server.stats.api.bearer).toBe(0)

  // The record is written once the login settled; wait for it before reloading.
  await page.waitForFunction(
    () =>
      new Promise((resolve) => {
        const open = indexedDB.open('latchkey-dpop')
        open.onsuccess = () => {
          const count = open.result.transaction('sessions').objectStore('sessions').count()
          count.onsuccess = () => resolve(count.result === 1)
        }
      }),
    { timeout: 5000 },
  )
  server.stats.reset()
  await page.reload()
  const state = await appReady(page)
  expect(state.restored).toBe(true)
  expect(server.stats.token).toEqual({ authorization_code: 0, refresh_token: 1 })
  expect(server.stats.authorize.requests).toBe(0)
  expect(page.url()).toBe(`${app.origin}/dpop.html`)
  expect(await api()).toBe(200)

  await page.evaluate(() => window.auth.logout({ navigate: () => {} }))
  await page.waitForFunction(
    () =>
      new Promise((resolve) => {
        const open = indexedDB.open('latchkey-dpop')
        open.onsuccess = () => {
          const count = open.result.transaction('keys').objectStore('keys').count()
          count.onsuccess = () => resolve(count.result === 0)
        }
      }),
    { timeout: 5000 },
  )
  // Nothing of the session anywhere now: the one stored token went with the logout.
  await expectNoLeak(e2e, context)
  await context.close()
})
