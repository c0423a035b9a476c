// latchkey/dpop in real Chromium against oidc-provider with DPoP nonces required: every token
// is DPoP-bound, the nonce dance is answered once, tokens copied out of the page are refused
// when replayed from Node without the key, and with `persist` a reload brings the session back
// with one refresh request (plus at most one nonce challenge), no redirect and no iframe.
// Every claim is counted at the server.
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { createDpopKey, dpopProof } from '../support/dpop.mjs'
import {
  appReady,
  contextLog,
  type E2E,
  expectNoLeakEverywhere,
  refreshAtServer,
  signIn,
  startE2E,
} from '../support/e2e'

let e2e: E2E
let context: BrowserContext

beforeAll(async () => {
  e2e = await startE2E({ dpopNonce: true })
})
afterAll(() => e2e?.close())
beforeEach(async () => {
  context = await e2e.newContext()
  e2e.server.stats.reset()
})
afterEach(() => expectNoLeakEverywhere(e2e, context))

const PAGE = '/dpop.html'

/** Opens the DPoP page (persisting or not) and signs alice in. */
const signedIn = async (persist: boolean): Promise<Page> => {
  e2e.setClientOptions({ dpopPersist: persist, apiOrigins: [e2e.app.origin, e2e.server.issuer] })
  const page = await context.newPage()
  await page.goto(`${e2e.app.origin}${PAGE}`)
  expect((await appReady(page)).restored).toBe(false)
  await signIn(page)
  await page.waitForURL(`${e2e.app.origin}${PAGE}`)
  expect((await appReady(page)).error).toBeUndefined()
  return page
}

const tokensOf = (page: Page) => page.evaluate(() => window.auth.getTokens())
const apiStatus = (page: Page, url: string) =>
  page.evaluate(async (to) => (await window.auth.fetch(to)).status, url)

/** Every record of latchkey/dpop's IndexedDB, by store (CryptoKeys show as `{}`). */
const dpopDatabase = (page: Page) =>
  page.evaluate(async () => {
    const request = <T>(r: IDBRequest<T>) =>
      new Promise<T>((resolve, reject) => {
        r.onsuccess = () => resolve(r.result)
        r.onerror = () => reject(r.error)
      })
    const db = await request(indexedDB.open('latchkey-dpop'))
    const all = async (store: string) =>
      db.objectStoreNames.contains(store)
        ? request(db.transaction(store).objectStore(store).getAll())
        : []
    const result = { keys: (await all('keys')).length, sessions: await all('sessions') }
    db.close()
    return result
  })

/** A token request from Node with a proof of another key (an attacker's), nonce dance included. */
const refreshWithOtherKey = async (refreshToken: string) => {
  const key = createDpopKey()
  const url = `${e2e.server.issuer}/oauth/token`
  let nonce: string | undefined
  for (let attempt = 0; attempt < 2; attempt++) {
    const response = await fetch(url, {
      method: 'POST',
      headers: { dpop: dpopProof(key, { htm: 'POST', htu: url, nonce }) },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: e2e.server.clientId,
        refresh_token: refreshToken,
      }),
    })
    const body = (await response.json()) as { error?: string }
    nonce = response.headers.get('dpop-nonce') ?? undefined
    if (body.error !== 'use_dpop_nonce') return { status: response.status, error: body.error }
  }
  throw new Error('still challenged after a nonce')
}

describe('latchkey/dpop against oidc-provider (nonces required)', () => {
  test('login, API through the app and at the server, refresh: DPoP throughout, each nonce challenge answered once', async () => {
    const page = await signedIn(false)
    const tokens = await tokensOf(page)
    expect(tokens.tokenType).toBe('DPoP')
    expect(await apiStatus(page, '/api/messages')).toBe(200)
    expect(await apiStatus(page, `${e2e.server.issuer}/api/messages`)).toBe(200)
    const refreshed = await page.evaluate(() => window.auth.getAccessToken({ forceRefresh: true }))
    expect(refreshed).not.toBe(tokens.accessToken)
    expect(await apiStatus(page, '/api/messages')).toBe(200)

    const { stats } = e2e.server
    expect(stats.token).toEqual({ authorization_code: 1, refresh_token: 1 })
    expect(stats.api.ok).toBe(3)
    expect(stats.api.bearer).toBe(0)
    expect(stats.api.dpop).toBe(stats.api.ok + stats.api.nonceChallenges)
    // Every refusal was a nonce challenge, each answered by one retry: never two in a row.
    expect(stats.tokenErrorDetails.map((detail) => detail.error)).toEqual(
      stats.tokenErrorDetails.map(() => 'use_dpop_nonce'),
    )
    expect(stats.tokenErrorDetails.length).toBeGreaterThanOrEqual(1)
    expect(stats.tokenRequestsByGrant).toEqual({
      authorization_code:
        1 + stats.tokenErrorDetails.filter((d) => d.grantType === 'authorization_code').length,
      refresh_token:
        1 + stats.tokenErrorDetails.filter((d) => d.grantType === 'refresh_token').length,
    })
    expect(stats.api.nonceChallenges).toBeLessThanOrEqual(1)
  })

  test('tokens copied out of the page are refused when replayed without the key', async () => {
    const page = await signedIn(false)
    const { accessToken, refreshToken } = await tokensOf(page)
    const api = `${e2e.server.issuer}/api/messages`

    // The refresh token: no proof, then a proof of the thief's own key.
    const bare = await refreshAtServer(e2e.server, refreshToken)
    expect(bare.body.error).toBe('invalid_grant')
    expect((await refreshWithOtherKey(refreshToken)).error).toBe('invalid_grant')
    expect(e2e.server.stats.token.refresh_token).toBe(0)

    // The access token: as Bearer, as DPoP with no proof, as DPoP with the thief's proof.
    const thief = createDpopKey()
    const attempts = [
      { authorization: `Bearer ${accessToken}` },
      { authorization: `DPoP ${accessToken}` },
      {
        authorization: `DPoP ${accessToken}`,
        dpop: dpopProof(thief, { htm: 'GET', htu: api, accessToken }),
      },
    ]
    for (const headers of attempts) {
      const response = await fetch(api, { headers })
      expect(response.status, JSON.stringify(Object.keys(headers))).toBe(401)
    }
    expect(e2e.server.stats.api.ok).toBe(0)
    // The page, holding the key, is still served.
    expect(await apiStatus(page, api)).toBe(200)
  })

  test('persist: a reload restores the session with one refresh request, no navigation, no iframe; logout empties IndexedDB', async () => {
    const page = await signedIn(true)
    const { refreshToken } = await tokensOf(page)
    await expect
      .poll(async () => (await dpopDatabase(page)).sessions)
      .toEqual([{ refreshToken, jkt: expect.any(String) }])
    expect((await dpopDatabase(page)).keys).toBe(1)

    e2e.server.stats.reset()
    const log = contextLog(context)
    const before = log.requests.length
    await page.reload()
    expect((await appReady(page)).restored).toBe(true)
    const { stats } = e2e.server
    expect(stats.token).toEqual({ authorization_code: 0, refresh_token: 1 })
    const challenges = stats.tokenErrorDetails.filter((d) => d.error === 'use_dpop_nonce').length
    expect(challenges).toBeLessThanOrEqual(1)
    expect(stats.tokenRequestsByGrant).toEqual({ refresh_token: 1 + challenges })
    expect(stats.tokenErrors).toHaveLength(challenges)
    expect(stats.authorize.requests).toBe(0)
    const navigations = log.requests.slice(before).filter((r) => r.navigation)
    expect(navigations.map((r) => r.url)).toEqual([`${e2e.app.origin}${PAGE}`])
    expect(page.frames()).toHaveLength(1)

    const restored = await tokensOf(page)
    expect(restored.tokenType).toBe('DPoP')
    expect(restored.refreshToken).not.toBe(refreshToken)
    expect(await page.evaluate(() => window.auth.getUser()?.sub)).toBe('alice')
    expect(await apiStatus(page, '/api/messages')).toBe(200)
    await expect
      .poll(async () => (await dpopDatabase(page)).sessions)
      .toEqual([{ refreshToken: restored.refreshToken, jkt: expect.any(String) }])

    // The one exception to rule 17, checked while it is there: only this bound refresh token.
    await expectNoLeakEverywhere(e2e, context)

    // Logout revokes the refresh token (navigation left out) and deletes key and record.
    await page.evaluate(() => window.auth.logout({ navigate: () => {} }))
    await expect.poll(() => dpopDatabase(page)).toEqual({ keys: 0, sessions: [] })
    expect(e2e.server.stats.revocation).toBe(1)
    await page.reload()
    expect((await appReady(page)).restored).toBe(false)
  })

  test('persist: a corrupt record signs out cleanly: restoreSession false, no error, IndexedDB emptied', async () => {
    const page = await signedIn(true)
    await expect.poll(async () => (await dpopDatabase(page)).sessions).toHaveLength(1)
    // The key is replaced by something that is not a key pair.
    await page.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((resolve) => {
        const r = indexedDB.open('latchkey-dpop')
        r.onsuccess = () => resolve(r.result)
      })
      const tx = db.transaction('keys', 'readwrite')
      const store = tx.objectStore('keys')
      const keys = await new Promise<IDBValidKey[]>((resolve) => {
        const r = store.getAllKeys()
        r.onsuccess = () => resolve(r.result)
      })
      for (const key of keys) store.put({ privateKey: 'not a key' }, key)
      await new Promise((resolve) => {
        tx.oncomplete = resolve
      })
      db.close()
    })
    e2e.server.stats.reset()
    await page.reload()
    const state = await appReady(page)
    expect(state.restored).toBe(false)
    expect(state.error).toBeUndefined()
    expect(contextLog(context).pageErrors).toEqual([])
    expect(e2e.server.stats.tokenRequests).toBe(0)
    expect(await dpopDatabase(page)).toEqual({ keys: 0, sessions: [] })
  })

  test('with tabs: one key and one record for all tabs, and one refresh browser-wide', async () => {
    e2e.setClientOptions({
      dpopPersist: true,
      withTabs: true,
      apiOrigins: [e2e.app.origin, e2e.server.issuer],
      leewaySeconds: 0,
    })
    const first = await context.newPage()
    await first.goto(`${e2e.app.origin}${PAGE}`)
    await appReady(first)
    await signIn(first)
    await first.waitForURL(`${e2e.app.origin}${PAGE}`)
    expect((await appReady(first)).error).toBeUndefined()
    const second = await context.newPage()
    await second.goto(`${e2e.app.origin}${PAGE}`)
    // The open tab hands its session over: no refresh of the persisted record.
    expect((await appReady(second)).restored).toBe(true)
    expect(await tokensOf(second)).toEqual(await tokensOf(first))
    expect(e2e.server.stats.token.refresh_token).toBe(0)

    const refreshes = await Promise.all(
      [first, second].map((page) =>
        page.evaluate(() => window.auth.getAccessToken({ forceRefresh: true })),
      ),
    )
    expect(new Set(refreshes).size).toBe(1)
    expect(e2e.server.stats.token.refresh_token).toBe(1)
    expect(e2e.server.stats.refreshTokenReuse).toBe(0)
    expect(e2e.server.stats.grantRevocations).toEqual([])
    const stored = await dpopDatabase(second)
    expect(stored.keys).toBe(1)
    expect(stored.sessions).toHaveLength(1)
    expect((await tokensOf(first)).tokenType).toBe('DPoP')
    expect(await apiStatus(second, `${e2e.server.issuer}/api/messages`)).toBe(200)
  })
})
