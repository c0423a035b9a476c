/**
 * The seams of a client: how an add-on (`latchkey/tabs`, `latchkey/dpop`, `latchkey/popup`,
 * `latchkey/silent`) plugs into it without the core importing the add-on. An app passes an
 * extension as an option (`tabs: syncTabs()`, `dpop: dpop()`); a function add-on such as
 * `loginWithPopup(auth)` finds the client's context with {@link contextOf}. Everything here is
 * for add-ons; an app never needs it.
 */
import type { AuthorizeParams } from '../authorize.js'
import { fail } from '../errors.js'
import type { ClientContext } from './context.js'

/** The `fetch` a client sends every request with, after each extension has wrapped it. */
export type Fetch = typeof globalThis.fetch

/**
 * What an add-on may plug into a client. Every hook is optional; the client calls those that are
 * there, in the order of its options (`tabs`, then `dpop`).
 */
export interface ClientExtension {
  /**
   * Called once, when {@link createClient} has built the client, with what its steps share: the
   * token holder to observe and to put tokens into (`admitTokens`), the server, the options.
   */
  attach?(context: ClientContext): void
  /**
   * Runs each refresh under a lock and resolves with its result: `syncTabs()` takes a Web Lock
   * for the whole browser. The task re-reads the tokens first, so a refresh that another holder
   * of the lock already made is not made again. Without it: the in-tab single flight alone.
   */
  lock?<T>(task: () => Promise<T>): Promise<T>
  /**
   * Wraps the `fetch` used for the authorization server and for {@link Client.fetch}: `dpop()`
   * adds a proof to each request and retries once on a nonce challenge.
   */
  wrapFetch?(fetch: Fetch): Fetch
  /**
   * The `token_type` the token endpoint must answer and the `Authorization` scheme of
   * {@link Client.fetch}: `DPoP` with `dpop()` (RFC 9449 §5, §7.1). Left out: Bearer.
   */
  tokenType?: 'DPoP'
  /** Extra `/authorize` parameters for every login, such as `dpop_jkt` (RFC 9449 §10). */
  authorizeParams?(): Promise<AuthorizeParams>
  /**
   * Tries to bring an existing session into memory for `restoreSession` (from another tab, from
   * a persisted DPoP-bound session): true when one is now there. Never throws for "none".
   */
  restore?(): Promise<boolean>
}

/** Each client's context, for function add-ons (`loginWithPopup(auth)`) that are handed the client. */
export const contexts: WeakMap<object, ClientContext> = new WeakMap()

/**
 * The context of a client made by {@link createClient}: what a function add-on works with. It
 * calls the steps (`createAuthorizeUrl(context, login, true)`) with it.
 *
 * @throws {@link AuthError} `invalid_config` for anything else.
 */
export const contextOf = (client: object): ClientContext =>
  contexts.get(client) ?? fail('invalid_config', 'Not a latchkey client: pass createClient()')
