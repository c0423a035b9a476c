/**
 * Signs in at the local authorization server from Node, following its redirects with a tiny
 * cookie jar: for server tests that need codes and tokens but no browser (~20 ms a login).
 *
 * @module
 */
import { authorizeRequest } from './authorize-request.mjs'

/**
 * A browser stand-in: the server's cookies, by name (path and expiry ignored; loopback only).
 */
export class CookieJar {
  /** @type {Map<string, string>} */
  cookies = new Map()

  /** @param {Response} response */
  take(response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';')
      const at = pair.indexOf('=')
      const name = pair.slice(0, at).trim()
      const value = pair.slice(at + 1).trim()
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
  }

  header() {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
  }
}

/**
 * @typedef {object} NodeLogin
 * @property {Record<string, string>} callback The redirect URI's query (`code`, `state`, `iss`
 *   or `error`, …).
 * @property {string} verifier The PKCE code verifier for the code.
 * @property {string} redirectUri
 * @property {CookieJar} jar The session cookies, for a later `prompt=none` request.
 */

/**
 * Sends an authorization request and, when the sign-in form comes, signs in; follows at most 8
 * redirects until one reaches `redirectUri`.
 *
 * @param {{ issuer: string, clientId: string, audience: string }} server
 * @param {object} options
 * @param {string} options.redirectUri
 * @param {Record<string, string>} [options.params] Extra or overriding request parameters.
 * @param {CookieJar} [options.jar] An existing session (for `prompt=none`).
 * @param {string} [options.user] Default `alice` (password the same).
 * @returns {Promise<NodeLogin>}
 */
export async function loginFromNode(
  server,
  { redirectUri, params = {}, jar = new CookieJar(), user = 'alice' },
) {
  const { url, verifier } = authorizeRequest(server, redirectUri, params)

  /** @type {RequestInit} */
  let init = { method: 'GET' }
  let next = new URL(url)
  for (let hops = 0; hops < 8; hops++) {
    if (next.href.startsWith(`${redirectUri}?`)) {
      return { callback: Object.fromEntries(next.searchParams), verifier, redirectUri, jar }
    }
    const response = await fetch(next, {
      ...init,
      redirect: 'manual',
      headers: { ...init.headers, cookie: jar.header() },
    })
    jar.take(response)
    const location = response.headers.get('location')
    if (location) {
      await response.body?.cancel()
      next = new URL(location, next)
      init = { method: 'GET' }
      continue
    }
    const page = await response.text()
    if (response.status !== 200 || !next.pathname.startsWith('/interaction/')) {
      throw new Error(
        `loginFromNode: ${response.status} at ${next.pathname}: ${page.slice(0, 200)}`,
      )
    }
    // The sign-in form: post the credentials to the same URL.
    init = {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ login: user, password: user }).toString(),
    }
  }
  throw new Error('loginFromNode: no redirect to the redirect URI within 8 hops')
}

/**
 * Exchanges a code at the token endpoint, optionally with a DPoP proof.
 *
 * @param {{ issuer: string, clientId: string }} server
 * @param {Pick<NodeLogin, 'callback' | 'verifier' | 'redirectUri'>} login
 * @param {{ dpop?: string, origin?: string }} [options] `origin` sets the Origin header (CORS).
 */
export function exchangeFromNode(server, login, { dpop, origin } = {}) {
  return postForm(
    `${server.issuer}/oauth/token`,
    {
      grant_type: 'authorization_code',
      client_id: server.clientId,
      code: String(login.callback.code),
      redirect_uri: login.redirectUri,
      code_verifier: login.verifier,
    },
    { dpop, origin },
  )
}

/**
 * @param {{ issuer: string, clientId: string }} server
 * @param {string} refreshToken
 * @param {{ dpop?: string, origin?: string }} [options]
 */
export function refreshFromNode(server, refreshToken, { dpop, origin } = {}) {
  return postForm(
    `${server.issuer}/oauth/token`,
    { grant_type: 'refresh_token', client_id: server.clientId, refresh_token: refreshToken },
    { dpop, origin },
  )
}

/**
 * POSTs a form and returns status, the headers a client cares about and the JSON body.
 *
 * @param {string} url
 * @param {Record<string, string>} form
 * @param {{ dpop?: string, origin?: string }} [options]
 */
export async function postForm(url, form, { dpop, origin } = {}) {
  /** @type {Record<string, string>} */
  const headers = { 'content-type': 'application/x-www-form-urlencoded' }
  if (dpop) headers.dpop = dpop
  if (origin) headers.origin = origin
  const response = await fetch(url, { method: 'POST', headers, body: new URLSearchParams(form) })
  const text = await response.text()
  return {
    status: response.status,
    headers: response.headers,
    /** @type {Record<string, any>} */
    body: text ? JSON.parse(text) : {},
  }
}
