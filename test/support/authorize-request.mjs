/**
 * Authorization requests made in Node for browser tests that drive the server without the
 * library: PKCE pair, state and the `/authorize` URL.
 *
 * @module
 */
import { createHash, randomBytes } from 'node:crypto'

/**
 * @param {{ issuer: string, clientId: string, audience: string }} server
 * @param {string} redirectUri
 * @param {Record<string, string>} [params] Extra or overriding parameters (`prompt`, …).
 * @returns {{ url: string, state: string, verifier: string, redirectUri: string }}
 */
export function authorizeRequest(server, redirectUri, params = {}) {
  const verifier = randomBytes(32).toString('base64url')
  const state = randomBytes(12).toString('base64url')
  const url = new URL(`${server.issuer}/authorize`)
  const all = {
    response_type: 'code',
    client_id: server.clientId,
    redirect_uri: redirectUri,
    scope: 'openid profile email offline_access',
    audience: server.audience,
    state,
    nonce: randomBytes(12).toString('base64url'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...params,
  }
  for (const [name, value] of Object.entries(all)) url.searchParams.set(name, value)
  return { url: url.href, state, verifier, redirectUri }
}
