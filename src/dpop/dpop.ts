import { admitTokens } from '../client/admit.js'
import type { ClientContext } from '../client/context.js'
import type { ClientExtension } from '../client/extension.js'
import { refusesRefreshToken } from '../client/refresh.js'
import { type AuthError, fail } from '../errors.js'
import { requestTokens } from '../token-endpoint.js'
import { forgetDpopSession } from './database.js'
import { loadOrCreateKeyPair, readKeyPair } from './key-store.js'
import { createNonceCache } from './nonce-cache.js'
import { readPersistedSession, savePersistedSession } from './persisted-session.js'
import { createDpopProof, type DpopKey, dpopKeyOf, htuOf } from './proof.js'

/** Options of {@link dpop}. */
export interface DpopOptions {
  /**
   * Keep the session across reloads: the DPoP-bound refresh token is stored in IndexedDB beside
   * its key (the one token latchkey ever stores: security.md rule 24), so `restoreSession` brings
   * the session back with one refresh request, with no redirect and no iframe. Logout, or the
   * server refusing the refresh token, deletes it with the key.
   * @default false
   */
  persist?: boolean
}

/**
 * A nonce challenge (RFC 9449 §8, §9): a 401 whose `DPoP` challenge says
 * `error="use_dpop_nonce"` (a resource server, §9), or a 400 whose JSON error is
 * `use_dpop_nonce` (the token endpoint, §8). The body is read from a clone: the caller reads it.
 */
const isNonceChallenge = async (response: Response) =>
  response.status === 401
    ? /(^|,)\s*DPoP\s[\s\S]*error="?use_dpop_nonce\b/i.test(
        response.headers.get('www-authenticate') ?? '',
      )
    : response.status === 400 &&
      (await response
        .clone()
        .json()
        .then((body) => body?.error, String)) === 'use_dpop_nonce'

/**
 * Sender-constrained tokens, RFC 9449 (pass it as `createClient({ dpop: dpop() })`): the access
 * and refresh tokens are bound to a key that only this browser holds, so a token copied out of
 * the page is refused by the server and the API.
 *
 * - one P-256 key pair per issuer + client, its private key non-extractable, in IndexedDB (so it
 *   outlives the redirect to the login page); made once even when several tabs start together;
 * - `dpop_jkt` on `/authorize` (§10), binding the authorization code to the key;
 * - a proof in a `DPoP` header on every token request (code, refresh, revocation) and every
 *   `auth.fetch` (with `ath`, §7), signed in WebCrypto;
 * - the latest `DPoP-Nonce` of each origin in every proof, and exactly one retry when a server
 *   answers `use_dpop_nonce` (§8, §9);
 * - the token endpoint must answer `token_type` DPoP, else the answer is refused
 *   (`invalid_response`, §5); `auth.fetch` sends `Authorization: DPoP`.
 *
 * Needs IndexedDB; without it a login fails with `invalid_config`.
 *
 * @example
 * ```ts
 * import { createClient } from 'latchkey'
 * import { dpop } from 'latchkey/dpop'
 * import { restoreSession } from 'latchkey/silent'
 *
 * const auth = createClient({ issuer, clientId, redirectUri, dpop: dpop({ persist: true }) })
 * if (auth.isCallback()) await auth.handleRedirectCallback()
 * else await restoreSession(auth) // after a reload: one refresh request, no redirect
 * const response = await auth.fetch('https://api.example.com/messages')
 * ```
 */
export const dpop = ({ persist = false }: DpopOptions = {}): ClientExtension => {
  let context: ClientContext | undefined
  /** The issuer + client whose key and session these are: the IndexedDB record's key. */
  let id = ''
  const nonces = createNonceCache()
  /** The key proofs are signed with: read or made on first use, then kept in memory. */
  let key: Promise<DpopKey | undefined> | undefined
  /**
   * Set when the session ended (logout, refused refresh token): the key is deleted from
   * IndexedDB but still signs what is in flight (the revocation); a new login makes a new one.
   */
  let retired = false
  /** The pending deletion: nothing is read or made before it is done. */
  let forgetting: Promise<unknown> = Promise.resolve()
  /** The pending write of the persisted session. */
  let saving: Promise<unknown> = Promise.resolve()

  const currentKey = () =>
    (key ??= forgetting
      .then(() => loadOrCreateKeyPair(id))
      .then(dpopKeyOf, (cause) => {
        key = undefined
        fail('invalid_config', 'No IndexedDB for the DPoP key: dpop() needs it', { cause })
      }))

  /** Deletes key and session; the key in memory (if any) keeps signing what is in flight. */
  const retire = () => {
    retired = true
    key ??= readKeyPair(id).then((pair) => pair && dpopKeyOf(pair))
    forgetting = Promise.all([key, saving])
      .catch(() => {})
      .then(() => forgetDpopSession(id))
      .catch(() => {})
  }

  return {
    tokenType: 'DPoP',

    attach(clientContext) {
      context = clientContext
      id = `${context.issuer} ${context.options.clientId}`
      context.tokens.subscribe((tokens, reason) => {
        if (reason === 'logout' || reason === 'error') return retire()
        // After a logout, a login in another tab (latchkey/tabs) made a new key: read it anew.
        if (reason === 'login' && retired) {
          key = undefined
          retired = false
        }
        const refreshToken = tokens?.refreshToken
        if (persist && refreshToken && tokens.tokenType === 'DPoP') {
          saving = saving
            .then(currentKey)
            .then(
              (current) => current && savePersistedSession(id, { refreshToken, jkt: current.jkt }),
            )
            .catch(() => {})
        }
      })
    },

    async authorizeParams() {
      if (retired) {
        key = undefined
        retired = false
      }
      return { dpop_jkt: (await currentKey())?.jkt }
    },

    wrapFetch: (send) => async (input, init) => {
      const request = new Request(input, init)
      const { method, url } = request
      // RFC 9449 §7.1: a resource request carries `Authorization: DPoP <access token>`.
      const accessToken = /^DPoP (.+)/i.exec(request.headers.get('authorization') ?? '')?.[1]
      // Any other POST to the token or revocation endpoint is a token request (§5); anything
      // else (discovery, a GET of the app's own) goes without a proof.
      const server = !accessToken && method === 'POST' && (await context?.server())
      const signs =
        accessToken ||
        (server && [server.token, server.revocation].some((to) => to && htuOf(to) === htuOf(url)))
      const spare = signs && request.clone()
      const attempt = async (outgoing: Request) => {
        const current = signs && (await currentKey())
        if (current) {
          outgoing.headers.set(
            'dpop',
            await createDpopProof(current, { method, url, nonce: nonces.get(url), accessToken }),
          )
        }
        const response = await send(outgoing)
        return { response, fresh: nonces.update(url, response) }
      }
      const { response, fresh } = await attempt(request)
      // One retry, with the nonce just given, and never a second: the retry's answer is final.
      return spare && fresh && (await isNonceChallenge(response))
        ? (await attempt(spare)).response
        : response
    },

    async restore() {
      if (!persist || !context) return false
      const { tokens, options, extensions } = context
      const lock = extensions.find((extension) => extension.lock)?.lock
      const restore = async () => {
        // With latchkey/tabs, another tab may have handed the session over while this one waited.
        if (tokens.get()) return true
        await forgetting
        const found = await readPersistedSession(id, async (pair) => (await dpopKeyOf(pair)).jkt)
        if (!found) return false
        key = dpopKeyOf(found.keyPair)
        retired = false
        const { refreshToken } = found.session
        const { token } = await (context as ClientContext).server()
        try {
          const next = await requestTokens(
            token as string,
            {
              grant_type: 'refresh_token',
              client_id: options.clientId,
              refresh_token: refreshToken,
            },
            (context as ClientContext).request,
            'DPoP',
          )
          if (admitTokens(context as ClientContext, { refreshToken, ...next }, 'login')) {
            await saving
            return true
          }
        } catch (error) {
          // As for any refresh: the server refusing the token itself ends the session; a
          // network failure, a timeout or a 5xx says nothing about it and is the caller's.
          if (!refusesRefreshToken(error as AuthError)) throw error
        }
        retire()
        await forgetting
        return false
      }
      return lock ? lock(restore) : restore()
    },
  }
}
