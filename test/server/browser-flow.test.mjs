// The local authorization server driven by a real headless Chromium, without the library: the
// page computes PKCE itself and calls the endpoints with fetch(), which also proves CORS.
import { createPublicKey } from 'node:crypto'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { DEV_KEYS, startAuthServer, verifyAccessToken } from '../../server/auth-server.mjs'
import { verifyJwt } from '../../server/jwt.mjs'
import { blockExternal, launchChromium } from '../support/chromium.mjs'
import { startPageServer } from '../support/page-server.mjs'

const SCOPE = 'openid profile email offline_access'
const publicKey = createPublicKey({ key: DEV_KEYS.keys[0], format: 'jwk' })

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
let redirectUri = ''

beforeAll(async () => {
  app = await startPageServer()
  redirectUri = `${app.origin}/callback`
  ;[server, browser] = await Promise.all([
    startAuthServer({ port: 0, quiet: true, redirectUris: [`${app.origin}/`, redirectUri] }),
    launchChromium(),
  ])
  // One context and page for all tests (a new page costs ~100 ms); clearing the cookies between
  // tests ends the authorization server's session, which is all the state there is.
  context = await browser.newContext()
  await blockExternal(context)
  page = await context.newPage()
  // Fail fast and clearly when a redirect does not happen, well within the test timeout.
  page.setDefaultTimeout(5000)
})
afterAll(async () => {
  await browser?.close()
  await Promise.all([server?.close(), app?.close()])
})
beforeEach(async () => {
  server.stats.reset()
  await context.clearCookies()
  await page.goto(`${app.origin}/`)
})
afterEach(() => {
  server.faults.clear()
})

/**
 * PKCE pair made in the page with WebCrypto (RFC 7636 §4.1, §4.2).
 *
 * @returns {Promise<{ verifier: string, challenge: string }>}
 */
function pkceInPage() {
  return page.evaluate(async () => {
    /** @param {ArrayBuffer | Uint8Array} bytes */
    const base64url = (bytes) =>
      btoa(String.fromCharCode(...new Uint8Array(bytes)))
        .replaceAll('+', '-')
        .replaceAll('/', '_')
        .replace(/=+$/, '')
    const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)))
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))
    return { verifier, challenge: base64url(digest) }
  })
}

/** @param {Record<string, string>} params */
function authorizeUrl(params) {
  const url = new URL(`${server.issuer}/authorize`)
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value)
  return url.href
}

/**
 * POSTs a form from the page, as a browser app does, and reports what the page could read.
 *
 * @param {string} path
 * @param {Record<string, string>} form
 * @param {{ timeoutMs?: number }} [options]
 */
function postFromPage(path, form, { timeoutMs } = {}) {
  return page.evaluate(
    async ({ url, form, timeoutMs }) => {
      try {
        const response = await fetch(url, {
          method: 'POST',
          body: new URLSearchParams(form),
          signal: timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs),
        })
        const text = await response.text()
        return {
          status: response.status,
          cacheControl: response.headers.get('cache-control'),
          retryAfter: response.headers.get('retry-after'),
          body: text ? JSON.parse(text) : undefined,
        }
      } catch (error) {
        return { failure: `${/** @type {Error} */ (error).name}` }
      }
    },
    { url: `${server.issuer}${path}`, form, timeoutMs },
  )
}

/** @param {string} refreshToken */
const refreshFromPage = (refreshToken) =>
  postFromPage('/oauth/token', {
    grant_type: 'refresh_token',
    client_id: server.clientId,
    refresh_token: refreshToken,
  })

/**
 * Exchanges the code from the page: no client secret, the PKCE verifier instead (RFC 7636 §4.5).
 *
 * @param {Record<string, string>} callback
 * @param {{ verifier: string }} pkce
 */
const exchangeFromPage = (callback, pkce) =>
  postFromPage('/oauth/token', {
    grant_type: 'authorization_code',
    client_id: server.clientId,
    code: /** @type {string} */ (callback.code),
    redirect_uri: redirectUri,
    code_verifier: pkce.verifier,
  })

/** Resolves once the browser is at the redirect URI, with the response parameters. */
async function waitForCallback() {
  await page.waitForURL((url) => url.href.startsWith(`${redirectUri}?`))
  return Object.fromEntries(new URL(page.url()).searchParams)
}

/**
 * Signs in through the login form and returns the callback parameters.
 *
 * @param {Record<string, string>} params Extra authorization request parameters.
 */
async function signIn(params = {}) {
  const pkce = await pkceInPage()
  const request = {
    response_type: 'code',
    client_id: server.clientId,
    redirect_uri: redirectUri,
    scope: SCOPE,
    audience: server.audience,
    state: 'state-0123456789abcdef',
    nonce: 'nonce-0123456789abcdef',
    code_challenge: pkce.challenge,
    code_challenge_method: 'S256',
    ...params,
  }
  await page.goto(authorizeUrl(request))
  await page.fill('input[name=login]', 'alice')
  await page.fill('input[name=password]', 'alice')
  const [callback] = await Promise.all([waitForCallback(), page.click('button[type=submit]')])
  return { request, pkce, callback }
}

describe('authorization code flow with PKCE in Chromium', () => {
  it('signs in, exchanges the code, calls the API, rotates the refresh token, logs out', async () => {
    const started = performance.now()
    const { request, pkce, callback } = await signIn()

    // RFC 6749 §4.1.2 and RFC 9207: code, the same state, and the issuer.
    expect(Object.keys(callback).sort()).toEqual(['code', 'iss', 'state'])
    expect(callback.state).toBe(request.state)
    expect(callback.iss).toBe(server.issuer)

    const tokens = await exchangeFromPage(callback, pkce)
    expect(tokens.status).toBe(200)
    expect(tokens.cacheControl).toBe('no-store') // RFC 6749 §5.1
    expect(tokens.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: SCOPE })
    const accessClaims = verifyAccessToken(tokens.body.access_token, {
      issuer: server.issuer,
      audience: server.audience,
      publicKey,
    })
    expect(accessClaims).toMatchObject({ sub: 'alice', client_id: server.clientId, scope: SCOPE })
    const idToken = verifyJwt(tokens.body.id_token, publicKey).payload
    expect(idToken).toMatchObject({
      iss: server.issuer,
      aud: server.clientId,
      sub: 'alice',
      nonce: request.nonce,
      name: 'Alice Liddell',
      email: 'alice@latchkey.test',
      email_verified: true,
    })
    const firstRefreshToken = tokens.body.refresh_token
    expect(firstRefreshToken).toEqual(expect.any(String))

    const api = await page.evaluate(
      async ({ url, token }) => {
        const response = await fetch(url, { headers: { Authorization: `Bearer ${token}` } })
        return { status: response.status, body: await response.json() }
      },
      { url: `${server.issuer}/api/messages`, token: tokens.body.access_token },
    )
    expect(api.status).toBe(200)
    expect(api.body.sub).toBe('alice')

    const refreshed = await refreshFromPage(firstRefreshToken)
    expect(refreshed.status).toBe(200)
    expect(refreshed.body.refresh_token).toEqual(expect.any(String))
    expect(refreshed.body.refresh_token).not.toBe(firstRefreshToken)
    expect(refreshed.body.access_token).not.toBe(tokens.body.access_token)

    // Rotation: the old refresh token is dead. Presenting it again is taken as theft and revokes
    // the whole grant, the new refresh token included (RFC 9700 §4.14.2).
    const replayed = await refreshFromPage(firstRefreshToken)
    expect(replayed.status).toBe(400)
    expect(replayed.body.error).toBe('invalid_grant')
    const afterReplay = await refreshFromPage(refreshed.body.refresh_token)
    expect(afterReplay.body.error).toBe('invalid_grant')

    expect(server.stats).toMatchObject({
      tokenRequests: 4,
      token: { authorization_code: 1, refresh_token: 1 },
      rejectedRefreshTokens: [firstRefreshToken, refreshed.body.refresh_token],
      authorization: 1,
      api: { ok: 1, unauthorized: 0 },
    })

    // The session remains: a silent request (prompt=none) gets a code without the login form.
    const silent = await pkceInPage()
    await page.goto(authorizeUrl({ ...request, prompt: 'none', code_challenge: silent.challenge }))
    expect(await waitForCallback()).toMatchObject({ state: request.state, iss: server.issuer })

    // Auth0-style logout ends at returnTo without a confirmation click, and ends the session.
    await page.goto(
      `${server.issuer}/v2/logout?client_id=${server.clientId}&returnTo=${encodeURIComponent(`${app.origin}/`)}`,
    )
    await page.waitForURL(`${app.origin}/`)
    expect(server.stats.logout).toBe(1)
    await page.goto(authorizeUrl({ ...request, prompt: 'none' }))
    expect(await waitForCallback()).toMatchObject({ error: 'login_required', state: request.state })

    console.info(`full flow: ${((performance.now() - started) / 1000).toFixed(2)} s`)
  })

  it('revokes a refresh token from the page (RFC 7009)', async () => {
    const { pkce, callback } = await signIn()
    const tokens = await exchangeFromPage(callback, pkce)
    const revoke = /** @param {string} token */ (token) =>
      postFromPage('/oauth/revoke', {
        client_id: server.clientId,
        token,
        token_type_hint: 'refresh_token',
      })
    expect(await revoke(tokens.body.refresh_token)).toMatchObject({ status: 200 })
    expect(server.stats.revocation).toBe(1)
    // RFC 7009 §2.2: an unknown token is answered 200 as well; nothing was revoked.
    expect(await revoke('no-such-token')).toMatchObject({ status: 200 })
    expect(server.stats.revocation).toBe(1)
    const refused = await refreshFromPage(tokens.body.refresh_token)
    expect(refused).toMatchObject({ status: 400, body: { error: 'invalid_grant' } })
  })

  it('checks the password, and Cancel returns access_denied', async () => {
    const pkce = await pkceInPage()
    await page.goto(
      authorizeUrl({
        response_type: 'code',
        client_id: server.clientId,
        redirect_uri: redirectUri,
        scope: 'openid',
        state: 'state-0123456789abcdef',
        code_challenge: pkce.challenge,
        code_challenge_method: 'S256',
      }),
    )
    await page.fill('input[name=login]', 'alice')
    await page.fill('input[name=password]', 'bob')
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      page.click('button[type=submit]'),
    ])
    expect(response.status()).toBe(401)
    await expect(page.locator('[role=alert]').textContent()).resolves.toBe(
      'Wrong username or password.',
    )
    expect(new URL(page.url()).pathname).toMatch(/^\/interaction\//)
    expect(server.stats.authorization).toBe(0)

    // Cancel sends the user back to the app with an error instead of a code.
    const [callback] = await Promise.all([waitForCallback(), page.click('text=Cancel')])
    expect(callback).toMatchObject({
      error: 'access_denied',
      state: 'state-0123456789abcdef',
      iss: server.issuer,
    })
    expect(callback).not.toHaveProperty('code')
  })

  it('logs out OIDC-style with post_logout_redirect_uri and keeps state', async () => {
    await signIn()
    const returnTo = encodeURIComponent(`${app.origin}/`)
    await page.goto(
      `${server.issuer}/v2/logout?client_id=${server.clientId}&post_logout_redirect_uri=${returnTo}&state=s1`,
    )
    await page.waitForURL(`${app.origin}/?state=s1`)
    expect(server.stats.logout).toBe(1)
  })
})

describe('token endpoint CORS and faults', () => {
  const bogusCode = {
    grant_type: 'authorization_code',
    client_id: 'latchkey-playground',
    code: 'not-a-code',
    redirect_uri: 'http://localhost/nowhere',
    code_verifier: 'x'.repeat(43),
  }

  it('lets the page read an OAuth error, and refuses other origins', async () => {
    const answer = await postFromPage('/oauth/token', bogusCode)
    expect(answer).toMatchObject({ status: 400, body: { error: 'invalid_grant' } })

    // Same page, other origin (127.0.0.1 is not localhost): the browser hides the response.
    await page.goto(`http://127.0.0.1:${app.port}/`)
    expect(await postFromPage('/oauth/token', bogusCode)).toEqual({ failure: 'TypeError' })
    expect(server.stats.tokenRequests).toBe(2)
  })

  it('answers the next request with a faked 503 that the page can read, then recovers', async () => {
    server.faults.nextTokenResponse({
      status: 503,
      headers: { 'retry-after': '2' },
      body: { error: 'temporarily_unavailable' },
    })
    expect(server.faults.pending).toBe(1)
    const faked = await postFromPage('/oauth/token', bogusCode)
    expect(faked).toEqual({
      status: 503,
      cacheControl: 'no-store',
      retryAfter: '2',
      body: { error: 'temporarily_unavailable' },
    })
    expect(server.faults.pending).toBe(0)
    expect(server.stats.tokenErrors).toEqual([])

    const real = await postFromPage('/oauth/token', bogusCode)
    expect(real).toMatchObject({ status: 400, body: { error: 'invalid_grant' } })
  })

  it('resets the connection, or never answers', async () => {
    server.faults.nextTokenResponse('reset')
    expect(await postFromPage('/oauth/token', bogusCode)).toEqual({ failure: 'TypeError' })
    expect(server.faults.pending).toBe(0)
    expect(server.stats.tokenErrors).toEqual([])

    server.faults.nextTokenResponse('hang')
    const started = performance.now()
    const hung = await postFromPage('/oauth/token', bogusCode, { timeoutMs: 300 })
    expect(hung).toEqual({ failure: 'TimeoutError' })
    expect(performance.now() - started).toBeGreaterThanOrEqual(290)
  })

  it('delays, then answers for real', async () => {
    server.faults.nextTokenResponse({ delayMs: 250 })
    const started = performance.now()
    const late = await postFromPage('/oauth/token', bogusCode)
    expect(performance.now() - started).toBeGreaterThanOrEqual(240)
    expect(late).toMatchObject({ status: 400, body: { error: 'invalid_grant' } })
    expect(server.stats.tokenErrors).toEqual([
      { grantType: 'authorization_code', error: 'invalid_grant' },
    ])
  })
})
