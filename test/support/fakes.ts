/**
 * Test doubles shared by the unit and browser suites: a Map-backed transaction storage, a
 * recording `fetch`, a JWT minter and a small fake authorization server that behaves like Auth0 /
 * oidc-provider where the client can observe it (codes are single use, PKCE is checked,
 * refresh tokens rotate). One definition of each, so every suite fakes the server the same way.
 */
import type { ClientOptions } from '../../src/options'
import type { TransactionStorage } from '../../src/transaction'

export const CLIENT_ID = 'client-abc'
export const APP_ORIGIN = 'https://app.example.com'
export const REDIRECT_URI = `${APP_ORIGIN}/callback`

/** Base64url without padding of a string's UTF-8 bytes; written here, not taken from src. */
export const base64urlText = (text: string): string =>
  btoa(String.fromCharCode(...new TextEncoder().encode(text)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')

/** A compact JWS with the given claims and a signature nobody checks (the client must not need one). */
export const mintJwt = (
  claims: Record<string, unknown>,
  header: Record<string, unknown> = { alg: 'RS256', typ: 'JWT', kid: 'test-key' },
): string =>
  `${base64urlText(JSON.stringify(header))}.${base64urlText(JSON.stringify(claims))}.${base64urlText('signature-not-checked')}`

export const nowSeconds = (): number => Math.floor(Date.now() / 1000)

/** A JSON response, status 200 unless told. */
export const json = (
  body: unknown,
  init: { status?: number; headers?: Record<string, string> } = {},
): Response =>
  new Response(JSON.stringify(body), {
    status: init.status ?? 200,
    headers: { 'content-type': 'application/json', ...init.headers },
  })

/** A Web-Storage-shaped store in a Map, so a test can read every key and value. */
export class MemoryStorage implements TransactionStorage {
  readonly items = new Map<string, string>()
  get length(): number {
    return this.items.size
  }
  key(index: number): string | null {
    return [...this.items.keys()][index] ?? null
  }
  getItem(key: string): string | null {
    return this.items.get(key) ?? null
  }
  setItem(key: string, value: string): void {
    this.items.set(key, String(value))
  }
  removeItem(key: string): void {
    this.items.delete(key)
  }
}

export const memoryStorage = (): MemoryStorage => new MemoryStorage()

/** Storage that refuses every write, as Safari's private mode or a full quota does. */
export const fullStorage = (): MemoryStorage =>
  Object.assign(new MemoryStorage(), {
    setItem(): void {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError')
    },
  })

/** One request as the fake saw it. */
export interface RecordedRequest {
  url: string
  method: string
  headers: Headers
  /** The body as text ('' when none). */
  body: string
  /** The body read as a form. */
  form: URLSearchParams
  /** The init object exactly as passed to fetch (undefined when fetch got a Request). */
  init: RequestInit | undefined
  /** The abort signal the caller passed. */
  signal: AbortSignal | undefined
}

export type Route = (request: RecordedRequest) => Response | Promise<Response>

/** A `fetch` that records every call and answers through `route`. */
export const createFakeFetch = (route: Route) => {
  const requests: RecordedRequest[] = []
  const fakeFetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request && !init ? input : new Request(input, init)
    const recorded: RecordedRequest = {
      url: request.url,
      method: request.method,
      headers: request.headers,
      body: '',
      form: new URLSearchParams(),
      init,
      signal: init?.signal ?? request.signal,
    }
    requests.push(recorded)
    recorded.body = await request.clone().text()
    recorded.form = new URLSearchParams(recorded.body)
    return route(recorded)
  }
  return { fetch: fakeFetch as typeof fetch, requests }
}

/** A promise with its resolve function outside, for answers that come when the test says. */
export const deferred = <T>() => {
  let resolve!: (value: T) => void
  let reject!: (reason: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

const s256 = async (verifier: string): Promise<string> => {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))
  return btoa(String.fromCharCode(...new Uint8Array(digest)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')
}

export interface FakeServerConfig {
  issuer: string
  authorizationEndpoint: string
  tokenEndpoint: string
  revocationEndpoint?: string
  endSessionEndpoint?: string
  /** Serve `{issuer}/.well-known/openid-configuration`. */
  discovery?: boolean
  /** What createClient needs to talk to this server (domain, or issuer and maybe endpoints). */
  clientOptions: Partial<ClientOptions>
}

interface IssuedCode {
  clientId: string
  redirectUri: string
  codeChallenge: string
  codeChallengeMethod: string
  scope: string
  nonce: string | undefined
}

/**
 * An authorization server in memory. `authorize(url)` plays the user logging in and returns the
 * callback URL; the token endpoint checks the code, the verifier and the redirect URI, and issues
 * distinct tokens (all recorded in `issued`, so a test can look for them anywhere).
 */
export class FakeAuthServer {
  readonly requests: RecordedRequest[]
  readonly fetch: typeof fetch
  /** Every token string this server handed out. */
  readonly issued = new Set<string>()
  /** Served as the discovery document when `discovery` is on. */
  metadata: Record<string, unknown>
  /** Merged into every ID token's claims (a test's way to make the server lie). */
  idTokenClaims: Record<string, unknown> = {}
  /** Merged into every token response body; a field set to undefined is left out. */
  tokenFields: Record<string, unknown> = {}
  sub = 'user-1'
  issueRefreshTokens = true
  rotateRefreshTokens = true
  /** Appended to every callback URL (e.g. `{ iss }`). */
  callbackExtras: Record<string, string> = {}
  /** Replace to make the token endpoint fail, hang or lie; `issueTokens` is the honest one. */
  tokenRoute: Route = (request) => this.issueTokens(request)
  readonly routes = new Map<string, Route>()
  /** The last successful token response body. */
  lastTokenResponse: Record<string, unknown> | undefined
  private readonly codes = new Map<string, IssuedCode>()
  private readonly refreshTokens = new Map<string, { scope: string; spent: boolean }>()
  private counter = 0

  constructor(readonly config: FakeServerConfig) {
    this.metadata = {
      issuer: config.issuer,
      authorization_endpoint: config.authorizationEndpoint,
      token_endpoint: config.tokenEndpoint,
      end_session_endpoint: config.endSessionEndpoint,
      revocation_endpoint: config.revocationEndpoint,
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
    }
    this.routes.set(config.tokenEndpoint, (request) => this.tokenRoute(request))
    if (config.revocationEndpoint)
      this.routes.set(config.revocationEndpoint, () => new Response(''))
    if (config.discovery) {
      this.routes.set(`${config.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, () =>
        json(this.metadata),
      )
    }
    const fake = createFakeFetch((request) => {
      const url = new URL(request.url)
      const route = this.routes.get(url.origin + url.pathname)
      return route ? route(request) : new Response('no such route', { status: 404 })
    })
    this.requests = fake.requests
    this.fetch = fake.fetch
  }

  /** Requests whose URL (without query) is `url`. */
  requestsTo(url: string): RecordedRequest[] {
    return this.requests.filter((r) => {
      const u = new URL(r.url)
      return u.origin + u.pathname === url
    })
  }

  get tokenRequests(): RecordedRequest[] {
    return this.requestsTo(this.config.tokenEndpoint)
  }

  /** The user logs in: checks the authorize URL and returns the callback URL with a fresh code. */
  authorize(authorizeUrl: string, extras: Record<string, string> = {}): string {
    const url = new URL(authorizeUrl)
    const q = url.searchParams
    if (url.origin + url.pathname !== this.config.authorizationEndpoint) {
      throw new Error(`fake server: ${authorizeUrl} is not its authorization endpoint`)
    }
    const code = `code-${++this.counter}`
    this.codes.set(code, {
      clientId: q.get('client_id') ?? '',
      redirectUri: q.get('redirect_uri') ?? '',
      codeChallenge: q.get('code_challenge') ?? '',
      codeChallengeMethod: q.get('code_challenge_method') ?? '',
      scope: q.get('scope') ?? '',
      nonce: q.get('nonce') ?? undefined,
    })
    const callback = new URL(q.get('redirect_uri') ?? '')
    callback.searchParams.set('code', code)
    callback.searchParams.set('state', q.get('state') ?? '')
    for (const [name, value] of Object.entries({ ...this.callbackExtras, ...extras })) {
      callback.searchParams.set(name, value)
    }
    return callback.href
  }

  /** The user (or the server) refuses: the callback URL carries `error`. */
  deny(authorizeUrl: string, error: string, errorDescription?: string): string {
    const q = new URL(authorizeUrl).searchParams
    const callback = new URL(q.get('redirect_uri') ?? '')
    callback.searchParams.set('error', error)
    if (errorDescription) callback.searchParams.set('error_description', errorDescription)
    callback.searchParams.set('state', q.get('state') ?? '')
    return callback.href
  }

  private invalidGrant(description: string): Response {
    return json({ error: 'invalid_grant', error_description: description }, { status: 400 })
  }

  private mintTokens(clientId: string, scope: string, nonce?: string): Record<string, unknown> {
    const n = ++this.counter
    const iat = nowSeconds()
    const body: Record<string, unknown> = {
      access_token: `access-token-${n}-${crypto.getRandomValues(new Uint32Array(1))[0]}`,
      token_type: 'Bearer',
      expires_in: 3600,
      scope,
    }
    if (this.issueRefreshTokens) body.refresh_token = `refresh-token-${n}`
    if (scope.split(' ').includes('openid')) {
      body.id_token = mintJwt({
        iss: this.config.issuer,
        aud: clientId,
        sub: this.sub,
        iat,
        exp: iat + 3600,
        ...(nonce !== undefined && { nonce }),
        ...this.idTokenClaims,
      })
    }
    Object.assign(body, this.tokenFields)
    for (const name of ['access_token', 'refresh_token', 'id_token']) {
      if (typeof body[name] === 'string') this.issued.add(body[name] as string)
    }
    if (typeof body.refresh_token === 'string') {
      this.refreshTokens.set(body.refresh_token, { scope, spent: false })
    }
    this.lastTokenResponse = JSON.parse(JSON.stringify(body))
    return body
  }

  /** The honest token endpoint (RFC 6749 §4.1.3, §6; RFC 7636 §4.6). */
  async issueTokens(request: RecordedRequest): Promise<Response> {
    const form = request.form
    if (request.method !== 'POST') return json({ error: 'invalid_request' }, { status: 405 })
    if (form.get('grant_type') === 'authorization_code') {
      const issued = this.codes.get(form.get('code') ?? '')
      if (!issued) return this.invalidGrant('unknown or used code')
      this.codes.delete(form.get('code') ?? '')
      if (issued.clientId !== form.get('client_id')) return this.invalidGrant('client mismatch')
      if (issued.redirectUri !== form.get('redirect_uri')) return this.invalidGrant('redirect_uri')
      if (
        issued.codeChallengeMethod !== 'S256' ||
        (await s256(form.get('code_verifier') ?? '')) !== issued.codeChallenge
      ) {
        return this.invalidGrant('PKCE verification failed')
      }
      return json(this.mintTokens(issued.clientId, issued.scope, issued.nonce))
    }
    if (form.get('grant_type') === 'refresh_token') {
      const token = form.get('refresh_token') ?? ''
      const known = this.refreshTokens.get(token)
      if (!known || known.spent) return this.invalidGrant('unknown or spent refresh token')
      const issueRefresh = this.issueRefreshTokens
      if (this.rotateRefreshTokens) known.spent = true
      else this.issueRefreshTokens = false
      try {
        return json(this.mintTokens(form.get('client_id') ?? '', known.scope))
      } finally {
        this.issueRefreshTokens = issueRefresh
      }
    }
    return json({ error: 'unsupported_grant_type' }, { status: 400 })
  }
}

/** A server reached through `domain`, with Auth0's routes. */
export const auth0Server = (domain = 'tenant.auth0.com'): FakeAuthServer =>
  new FakeAuthServer({
    issuer: `https://${domain}/`,
    authorizationEndpoint: `https://${domain}/authorize`,
    tokenEndpoint: `https://${domain}/oauth/token`,
    revocationEndpoint: `https://${domain}/oauth/revoke`,
    endSessionEndpoint: `https://${domain}/v2/logout`,
    clientOptions: { domain },
  })

/** A generic OpenID Provider found through discovery. */
export const oidcServer = (issuer = 'https://id.example.com'): FakeAuthServer =>
  new FakeAuthServer({
    issuer,
    authorizationEndpoint: `${issuer}/auth`,
    tokenEndpoint: `${issuer}/token`,
    revocationEndpoint: `${issuer}/token/revocation`,
    endSessionEndpoint: `${issuer}/session/end`,
    discovery: true,
    clientOptions: { issuer },
  })

/** A storage whose keys can be listed, as Web Storage and {@link MemoryStorage} can. */
type ListableStorage = Pick<Storage, 'length' | 'key' | 'getItem'>

/**
 * Every place in the page a token could have leaked to and that a test can read: Web Storage,
 * the given storages, cookies, the URL and the history state (security.md rule 17). Returns
 * "token in place" strings, so a failing assertion says where.
 */
export const findTokenLeaks = (
  tokens: Iterable<string>,
  storages: ListableStorage[] = [],
): string[] => {
  const places: [string, string][] = []
  const webStorages: [string, ListableStorage | undefined][] = [
    ['sessionStorage', globalThis.sessionStorage],
    ['localStorage', globalThis.localStorage],
    ...storages.map((s, i): [string, ListableStorage] => [`storage #${i}`, s]),
  ]
  for (const [name, storage] of webStorages) {
    if (!storage) continue
    for (let i = 0; i < storage.length; i++) {
      const key = storage.key(i) ?? ''
      places.push([`${name} key`, key], [`${name}[${key}]`, storage.getItem(key) ?? ''])
    }
  }
  if (typeof document !== 'undefined') places.push(['document.cookie', document.cookie])
  if (typeof location !== 'undefined') places.push(['location.href', location.href])
  if (typeof history !== 'undefined') {
    places.push(['history.state', JSON.stringify(history.state) ?? ''])
  }
  const list = [...tokens]
  if (!list.length)
    throw new Error('findTokenLeaks: no tokens to look for, so it would prove nothing')
  return list.flatMap((token) =>
    places.filter(([, text]) => text.includes(token)).map(([place]) => `${token} in ${place}`),
  )
}

/** What `fn` throws (undefined when it does not), for `expect(thrown(...)).toMatchObject({ code })`. */
export const thrown = (fn: () => unknown): unknown => {
  try {
    fn()
  } catch (error) {
    return error
  }
  return undefined
}
