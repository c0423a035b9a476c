// DPoP through a real browser's CORS (Chromium): a page on the app's origin signs proofs with a
// non-extractable WebCrypto key, sends them to the token endpoint, the API and the revocation
// endpoint, and must be able to read `DPoP-Nonce` and `WWW-Authenticate` to answer a challenge.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startAuthServer } from '../../server/auth-server.mjs'
import { blockExternal, launchChromium } from '../support/chromium.mjs'
import { loginFromNode } from '../support/node-login.mjs'
import { startPageServer } from '../support/page-server.mjs'

/** @type {import('../support/page-server.mjs').PageServer} */
let app
/** @type {import('../../server/auth-server.mjs').AuthServer} */
let server
/** @type {import('playwright-core').Browser} */
let browser

beforeAll(async () => {
  app = await startPageServer()
  ;[server, browser] = await Promise.all([
    startAuthServer({ port: 0, quiet: true, redirectUris: [`${app.origin}/callback`] }),
    launchChromium(),
  ])
})
afterAll(async () => {
  await browser?.close()
  await Promise.all([server?.close(), app?.close()])
})

/**
 * Runs in the page: a tiny DPoP client (RFC 9449) that retries once on a nonce challenge and
 * reports every response it saw.
 *
 * @param {{ issuer: string, clientId: string, code: string, verifier: string, redirectUri: string }} args
 */
async function dpopClientInPage({ issuer, clientId, code, verifier, redirectUri }) {
  const b64 = (/** @type {ArrayBuffer | Uint8Array} */ bytes) =>
    btoa(String.fromCharCode(...new Uint8Array(bytes)))
      .replaceAll('+', '-')
      .replaceAll('/', '_')
      .replace(/=+$/, '')
  const text = (/** @type {unknown} */ value) =>
    b64(new TextEncoder().encode(JSON.stringify(value)))
  const keys = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
    'sign',
    'verify',
  ])
  const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', keys.publicKey)
  /** @type {string | undefined} */
  let nonce
  /**
   * @param {string} htm
   * @param {string} htu
   * @param {string} [accessToken]
   */
  const proof = async (htm, htu, accessToken) => {
    const ath = accessToken
      ? b64(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(accessToken)))
      : undefined
    const input = `${text({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty, crv, x, y } })}.${text({
      jti: crypto.randomUUID(),
      htm,
      htu,
      iat: Math.floor(Date.now() / 1000),
      ...(ath ? { ath } : {}),
      ...(nonce ? { nonce } : {}),
    })}`
    const signature = await crypto.subtle.sign(
      { name: 'ECDSA', hash: 'SHA-256' },
      keys.privateKey,
      new TextEncoder().encode(input),
    )
    return `${input}.${b64(signature)}`
  }
  /** @type {{ url: string, status: number, nonce: string | null, challenge: string | null }[]} */
  const seen = []
  /**
   * @param {string} url
   * @param {RequestInit} init
   * @param {string} [accessToken]
   */
  const send = async (url, init, accessToken) => {
    for (let attempt = 0; attempt < 2; attempt++) {
      const headers = new Headers(init.headers)
      headers.set('DPoP', await proof(init.method ?? 'GET', url, accessToken))
      if (accessToken) headers.set('Authorization', `DPoP ${accessToken}`)
      const response = await fetch(url, { ...init, headers })
      const body = await response.text()
      const entry = {
        url: new URL(url).pathname,
        status: response.status,
        nonce: response.headers.get('DPoP-Nonce'),
        challenge: response.headers.get('WWW-Authenticate'),
      }
      seen.push(entry)
      if (entry.nonce) nonce = entry.nonce
      const challenged =
        (response.status === 400 && body.includes('use_dpop_nonce')) ||
        (response.status === 401 && /use_dpop_nonce/.test(entry.challenge ?? ''))
      if (!challenged) return body ? JSON.parse(body) : {}
    }
    throw new Error('challenged twice')
  }
  const tokens = await send(`${issuer}/oauth/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: clientId,
      code,
      redirect_uri: redirectUri,
      code_verifier: verifier,
    }),
  })
  const api = await send(`${issuer}/api/messages`, { method: 'GET' }, tokens.access_token)
  const revoke = await fetch(`${issuer}/oauth/revoke`, {
    method: 'POST',
    headers: { DPoP: await proof('POST', `${issuer}/oauth/revoke`) },
    body: new URLSearchParams({ client_id: clientId, token: tokens.refresh_token }),
  })
  return { tokenType: tokens.token_type, api, revoked: revoke.status, seen }
}

it('a page can run DPoP with nonce challenges through CORS: token endpoint, API, revocation', async () => {
  server.settings.dpopNonce = true
  const login = await loginFromNode(server, { redirectUri: `${app.origin}/callback` })
  const context = await browser.newContext()
  await blockExternal(context)
  const page = await context.newPage()
  await page.goto(`${app.origin}/`)
  const result = await page.evaluate(dpopClientInPage, {
    issuer: server.issuer,
    clientId: server.clientId,
    code: login.callback.code ?? '',
    verifier: login.verifier,
    redirectUri: login.redirectUri,
  })
  await context.close()

  expect(result.tokenType).toBe('DPoP')
  expect(result.api).toMatchObject({ sub: 'alice', scheme: 'DPoP' })
  expect(result.revoked).toBe(200)
  const nonce = expect.stringMatching(/^[\w-]{20,}$/)
  // The token endpoint challenges the first proof; the page can read the nonce (CORS). That
  // nonce is good at the API too (same origin, one nonce): no second challenge.
  expect(result.seen).toEqual([
    { url: '/oauth/token', status: 400, nonce, challenge: null },
    { url: '/oauth/token', status: 200, nonce: null, challenge: null },
    { url: '/api/messages', status: 200, nonce, challenge: null },
  ])
  expect(server.stats.api).toMatchObject({ ok: 1, nonceChallenges: 0, dpop: 1 })

  // The API challenges a proof without a nonce, and the page can read the challenge and nonce.
  const challenged = await (async () => {
    const again = await browser.newContext()
    const other = await again.newPage()
    await other.goto(`${app.origin}/`)
    const seen = await other.evaluate(
      async ({ url }) => {
        const response = await fetch(url, {
          headers: { Authorization: 'DPoP not-a-token', DPoP: 'x.y.z' },
        })
        return {
          status: response.status,
          challenge: response.headers.get('WWW-Authenticate'),
          nonce: response.headers.get('DPoP-Nonce'),
        }
      },
      { url: `${server.issuer}/api/messages` },
    )
    await again.close()
    return seen
  })()
  expect(challenged).toEqual({
    status: 401,
    challenge: expect.stringMatching(
      /^DPoP realm="latchkey-api", algs="ES256", error="invalid_token"/,
    ),
    nonce,
  })
  expect(server.stats.revocation).toBe(1)
})
