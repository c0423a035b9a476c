import { fail } from '../errors.js'
import type { ClientOptions, Navigate } from '../options.js'
import type { RequestOptions } from '../request.js'
import type { TokenSet } from '../token-store.js'
import type { TransactionStorage } from '../transaction.js'
import type { ClientExtension } from './extension.js'
import { configuredServer, type Server, serverOf } from './server.js'
import { createTokenHolder, type TokenHolder } from './token-holder.js'

/** What every step of one client shares: its options resolved once, its server and its tokens. */
export interface ClientContext {
  /** The options as given (checked). */
  options: ClientOptions
  /** Clock skew allowed, in seconds. */
  leewaySeconds: number
  /** How long a started login may take, in ms. */
  ttlMs: number
  /** The issuer identifier, known without discovery. */
  issuer: string
  /** The server's endpoints, after discovery when needed. */
  server: () => Server | Promise<Server>
  /** The client's tokens. */
  tokens: TokenHolder
  /** Where login transactions wait during the redirect. */
  storage: () => TransactionStorage
  /** Opens a URL: this call's `navigate`, else the option, else `location.assign`. */
  navigate: (url: string, override?: Navigate) => void | Promise<void>
  /** `fetch` (wrapped by the extensions) and the time limit of every request. */
  request: RequestOptions
  /** `Bearer`, or `DPoP` when an extension asks for it. */
  tokenType: TokenSet['tokenType']
  /** The add-ons plugged in through the options, in order. */
  extensions: ClientExtension[]
}

/** Resolves a client's options into what its steps share. Nothing is fetched or stored yet. */
export const createContext = (options: ClientOptions): ClientContext => {
  const extensions = [options.tabs, options.dpop].filter(
    (extension): extension is ClientExtension => !!extension,
  )
  // Read `fetch` at call time, not now: an app (or a test) may install it after createClient.
  let send: typeof fetch = (input, init) => (options.fetch ?? fetch)(input, init)
  for (const extension of extensions) send = extension.wrapFetch?.(send) ?? send
  const known = configuredServer(options)
  return {
    options,
    issuer: known.issuer,
    leewaySeconds: options.leewaySeconds ?? 60,
    ttlMs: (options.transactionTtlSeconds ?? 600) * 1000,
    server: serverOf(known, options),
    tokens: createTokenHolder(options.leewaySeconds ?? 60),
    storage: () =>
      options.storage ??
      globalThis.sessionStorage ??
      fail('invalid_config', 'No sessionStorage: pass storage'),
    navigate: (url, override) =>
      (override ?? options.navigate ?? ((href: string) => location.assign(href)))(url),
    request: { ...options, fetch: send },
    tokenType: extensions.find((extension) => extension.tokenType)?.tokenType ?? 'Bearer',
    extensions,
  }
}
