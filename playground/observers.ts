/**
 * latchkey has no debug hooks, and needs none: everything it does to the outside world goes
 * through three options, `fetch`, `navigate` and `storage`. The wrappers here pass each call on
 * unchanged and record what they saw in the flow inspector.
 */
import { decodeJwt, type Navigate, readTransactions, type TransactionStorage } from '../src/index'
import { type Field, type Step, type Timeline, textFields } from './timeline'

/** Form parameters that carry a grant or a token. */
const SECRET_PARAMS = new Set(['code', 'refresh_token', 'token'])
/** Token response members that are tokens. */
const TOKEN_MEMBERS = new Set(['access_token', 'id_token', 'refresh_token'])

/** A JWT's header and claims as JSON, unverified: for showing a DPoP proof. */
const decodedJwtFields = (name: string, jwt: string): Field[] => {
  try {
    const { header, payload } = decodeJwt(jwt)
    return [
      { name: `${name} header`, value: JSON.stringify(header, null, 2), kind: 'json' },
      { name: `${name} claims`, value: JSON.stringify(payload, null, 2), kind: 'json' },
    ]
  } catch {
    return [{ name, value: jwt }]
  }
}

const isJwt = (value: string) => /^[\w-]+\.[\w-]+\.[\w-]*$/.test(value)

/**
 * base64url(SHA-256(ASCII(verifier))) (RFC 7636 §4.2), computed by the page itself rather than
 * by latchkey, so that the check does not take the library's word for it.
 */
const s256 = async (verifier: string): Promise<string> => {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))
  return btoa(String.fromCharCode(...new Uint8Array(digest)))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '')
}

/**
 * A `storage` for latchkey: sessionStorage, recording each transaction as it is added (with
 * its code verifier, a one-time secret that is fine to show) and as it is removed. latchkey
 * keeps all of a client's pending logins as one array under one key, so each write is compared
 * with what the key held before (read with latchkey's own `readTransactions`, so the page never
 * depends on the stored format): the newest record added is shown, and those gone are noted.
 */
export const observeStorage = (
  timeline: Timeline,
  storage: Storage,
  clientId: string,
): TransactionStorage => ({
  getItem: (key) => storage.getItem(key),
  setItem(key, value) {
    // latchkey writes nothing but login transactions through this option.
    const before = new Set(readTransactions(storage, clientId).map((record) => record.state))
    storage.setItem(key, value)
    const records = readTransactions(storage, clientId)
    const after = new Set(records.map((record) => record.state))
    const removed = [...before].filter((state) => !after.has(state))
    if (removed.length) {
      timeline.add({
        kind: 'transaction-removed',
        title: `${removed.length === 1 ? 'Transaction' : `${removed.length} transactions`} removed from sessionStorage`,
        note: 'Used once (or expired): a second response with that state would fail. The pending logins left stay under the key.',
        fields: textFields([
          ['key', key],
          ['pending', String(records.length)],
        ]),
      })
    }
    const transaction = records.filter((record) => !before.has(record.state)).at(-1)
    if (!transaction) return
    timeline.add({
      kind: 'transaction',
      title: 'Transaction saved in sessionStorage',
      note: "Kept for the return trip in this client's list of pending logins, found again by state. The code_verifier leaves this tab only in the token request.",
      fields: [
        ...textFields([
          ['key', key],
          ['pending', String(records.length)],
          ['code_verifier', transaction.codeVerifier],
          ['state', transaction.state],
          ['nonce', transaction.nonce],
        ]),
        { name: 'appState', value: JSON.stringify(transaction.appState ?? null), kind: 'json' },
      ],
    })
  },
  removeItem(key) {
    const existed = storage.getItem(key) !== null
    storage.removeItem(key)
    if (!existed) return
    timeline.add({
      kind: 'transaction-removed',
      title: 'Transaction removed from sessionStorage',
      note: 'Used once (or expired), and no other login of this client is pending, so the key is gone: a second response with this state would fail with missing_transaction.',
      fields: textFields([['key', key]]),
    })
  },
})

/**
 * A `navigate` for latchkey: records the authorize URL (with the PKCE pair, checked here) or the
 * logout URL, keeps the run in sessionStorage for the return trip, then navigates.
 */
export const observeNavigate =
  (timeline: Timeline): Navigate =>
  async (url) => {
    const params = new URL(url).searchParams
    const paramFields = textFields([...params])
    const challenge = params.get('code_challenge')
    if (challenge === null) {
      timeline.add({
        kind: 'end-session',
        title: 'Logout at the server',
        note: 'The server ends its session and sends the browser back to returnTo.',
        fields: [{ name: 'URL', value: url }, ...paramFields],
      })
    } else {
      const verifier = timeline.find('code_verifier')?.value ?? ''
      const recomputed = await s256(verifier)
      timeline.add({
        kind: 'pkce',
        title: 'PKCE pair',
        note: 'Only the challenge goes to /authorize. At the token endpoint the verifier proves that this tab started the login (RFC 7636).',
        fields: [
          { name: 'code_verifier', value: verifier },
          { name: 'code_challenge', value: challenge },
          recomputed === challenge
            ? {
                name: 'S256(code_verifier)',
                value: 'equal to code_challenge (computed in this page)',
                kind: 'pass',
              }
            : {
                name: 'S256(code_verifier)',
                value: `${recomputed}: NOT code_challenge`,
                kind: 'fail',
              },
        ],
      })
      timeline.add({
        kind: 'authorize',
        title: 'Authorization request',
        note: "Off to the server's login page. The steps so far wait in sessionStorage until the browser comes back.",
        fields: [{ name: 'URL', value: url }, ...paramFields],
      })
    }
    timeline.saveForRedirect()
    location.assign(url)
  }

type Purpose = 'token' | 'refresh' | 'revocation' | 'api' | 'discovery' | 'other'

const TITLES: Record<Purpose, [request: string, response: string]> = {
  token: ['Token request: authorization_code grant', 'Token response'],
  refresh: ['Token request: refresh_token grant', 'Token response (refresh)'],
  revocation: ['Revocation request', 'Revocation response'],
  api: ['API request', 'API response'],
  discovery: ['Discovery request', 'Discovery document'],
  other: ['Request', 'Response'],
}

const purposeOf = (form: URLSearchParams | undefined, bearer: string | undefined, url: URL) => {
  const grant = form?.get('grant_type')
  if (grant === 'authorization_code') return 'token'
  if (grant === 'refresh_token') return 'refresh'
  if (form?.has('token')) return 'revocation'
  if (bearer) return 'api'
  return url.pathname.endsWith('/.well-known/openid-configuration') ? 'discovery' : 'other'
}

/** The fields of a request with a form body or a Bearer token; the grant's secrets are marked. */
const requestFields = (
  purpose: Purpose,
  form: URLSearchParams | undefined,
  bearer: string | undefined,
  scheme: string,
  timeline: Timeline,
): Field[] => {
  const fields: Field[] = [...(form ?? [])].map(([name, value]) => ({
    name,
    value,
    secret: SECRET_PARAMS.has(name),
  }))
  if (bearer) {
    fields.push({ name: `Authorization: ${scheme}`, value: bearer, kind: 'jwt', secret: true })
  }
  if (purpose === 'token' || purpose === 'refresh') {
    fields.push(
      form?.has('client_secret')
        ? { name: 'client_secret', value: 'sent: a browser app cannot keep a secret', kind: 'fail' }
        : { name: 'client_secret', value: 'none: a public client, PKCE instead', kind: 'pass' },
    )
  }
  const saved = purpose === 'token' && timeline.find('code_verifier')
  if (saved) {
    const same = saved.value === form?.get('code_verifier')
    fields.push({
      name: 'code_verifier check',
      value: `${same ? 'the same as' : 'NOT the same as'} in step ${saved.step}`,
      kind: same ? 'pass' : 'fail',
    })
  }
  return fields
}

/**
 * The ID token's nonce against the one this tab sent (OIDC Core §3.1.3.7 step 11): latchkey
 * checks it and throws `invalid_id_token`; this shows which values differed.
 */
const nonceCheck = (idToken: string, timeline: Timeline): Field | undefined => {
  const sent = timeline.find('nonce')
  if (!sent) return undefined
  let nonce: unknown
  try {
    nonce = decodeJwt(idToken).payload.nonce
  } catch {}
  return nonce === sent.value
    ? { name: 'nonce check', value: `the nonce sent in step ${sent.step}`, kind: 'pass' }
    : {
        name: 'nonce check',
        value: `${String(nonce)}: not the nonce sent in step ${sent.step}`,
        kind: 'fail',
      }
}

/** The fields of a response: a token response member by member, anything else as one body. */
const responseFields = (
  purpose: Purpose,
  response: Response,
  body: string,
  timeline: Timeline,
): Field[] => {
  const fields = textFields([
    ['WWW-Authenticate', response.headers.get('www-authenticate')],
    ['DPoP-Nonce', response.headers.get('dpop-nonce')],
  ])
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch {
    return body ? [...fields, { name: 'body', value: body }] : fields
  }
  if ((purpose === 'token' || purpose === 'refresh') && json && typeof json === 'object') {
    for (const [name, value] of Object.entries(json)) {
      const text = typeof value === 'string' ? value : JSON.stringify(value)
      const token = TOKEN_MEMBERS.has(name)
      fields.push({ name, value: text, secret: token, kind: token && isJwt(text) ? 'jwt' : 'text' })
    }
    const idToken = (json as { id_token?: unknown }).id_token
    const check =
      purpose === 'token' && typeof idToken === 'string' && nonceCheck(idToken, timeline)
    return check ? [...fields, check] : fields
  }
  return [...fields, { name: 'body', value: body, kind: 'json' }]
}

const NOTES: Partial<Record<`${Purpose}-${'request' | 'response'}`, string>> = {
  'token-request':
    'Sent by this page (CORS), form-encoded. The code is useless without the verifier, so an intercepted code gets an attacker nothing.',
  'token-response':
    'latchkey validates it and the ID token claims (iss, aud, exp, nonce…), then keeps the tokens in memory only.',
  'refresh-response': 'Rotation: a new refresh token; the old one no longer works.',
  'api-request': 'auth.fetch adds the access token, and only for the origins in apiOrigins.',
}

/**
 * A `fetch` for latchkey (used for the authorization server and by `auth.fetch`): records each
 * request with a body or a token, and each response, then hands the response back untouched.
 */
export const observeFetch =
  (timeline: Timeline): typeof fetch =>
  async (input, init) => {
    const request = new Request(input, init)
    const url = new URL(request.url)
    const form =
      request.method === 'POST' ? new URLSearchParams(await request.clone().text()) : undefined
    const [, scheme = 'Bearer', bearer] =
      /^(Bearer|DPoP) (.+)$/.exec(request.headers.get('authorization') ?? '') ?? []
    const proof = request.headers.get('dpop')
    const purpose = purposeOf(form, bearer, url)
    const [requestTitle, responseTitle] = TITLES[purpose]
    const endpoint = { name: 'endpoint', value: `${request.method} ${url.origin}${url.pathname}` }
    const step = (
      stage: 'request' | 'response',
      title: string,
      fields: Field[],
      tone?: Step['tone'],
    ) =>
      timeline.add({
        kind: `${purpose}-${stage}`,
        title,
        ...(tone && { tone }),
        // A note explains what should happen, so a failed response goes without one.
        ...(tone !== 'error' &&
          NOTES[`${purpose}-${stage}`] && { note: NOTES[`${purpose}-${stage}`] }),
        fields,
      })
    if (form || bearer) {
      step('request', requestTitle, [
        endpoint,
        ...requestFields(purpose, form, bearer, scheme, timeline),
        // latchkey/dpop signed this request (RFC 9449 §4): the proof, decoded.
        ...(proof ? decodedJwtFields('DPoP proof', proof) : []),
      ])
    }
    let response: Response
    try {
      response = await fetch(request)
    } catch (error) {
      step(
        'response',
        `${requestTitle} failed`,
        [endpoint, { name: 'error', value: String(error) }],
        'error',
      )
      throw error
    }
    const body = await response.clone().text()
    const fields = responseFields(purpose, response, body, timeline)
    if (proof && /use_dpop_nonce/.test(`${response.headers.get('www-authenticate')} ${body}`)) {
      fields.push({
        name: 'DPoP nonce challenge',
        value:
          'the server wants its nonce in the proof (RFC 9449 §8, §9): latchkey retries once with DPoP-Nonce',
        kind: 'pass',
      })
    }
    step(
      'response',
      `${responseTitle}: ${response.status} ${response.statusText}`.trim(),
      form || bearer ? fields : [endpoint, ...fields],
      response.ok ? 'ok' : 'error',
    )
    return response
  }
