import { admitTokens } from '../client/admit.js'
import type { ClientContext } from '../client/context.js'
import type { ClientExtension } from '../client/extension.js'
import { AuthError } from '../errors.js'
import { readTabMessage, type TabMessage } from './tab-message.js'

/** Options of {@link syncTabs}. */
export interface SyncTabsOptions {
  /**
   * How long a tab waits for the browser-wide refresh lock, or for another tab to hand over a
   * newer session, before it gives up with `timeout`, in seconds. A closed tab's lock is freed at
   * once; this bounds the wait behind a tab that hangs.
   * @default 15
   */
  lockTimeoutSeconds?: number
  /**
   * How long `restoreSession` waits for an open tab to answer, in seconds. It asks only
   * when the Web Locks say another tab holds a session.
   * @default 3
   */
  askTimeoutSeconds?: number
}

/** Said once per page, not per client: a fact about the browser, not an error. */
let saidUnsupported = false

/**
 * One session for every tab of this origin, for one issuer + client (pass it as
 * `createClient({ tabs: syncTabs() })`):
 *
 * - a login, refresh, logout, or a refresh token refused (`error`) in one tab reaches every other
 *   tab at once over a `BroadcastChannel`, never through storage (security.md rules 19, 22); their
 *   subscribers hear the same reason;
 * - a new or reloaded tab gets the session from an open one (`restoreSession`), with no request
 *   to the server;
 * - one refresh for the whole browser: a Web Lock named after issuer + client, the tokens re-read
 *   under it, the result broadcast (rule 20; RFC 9700 §4.14.2). Each tab holding a session also
 *   holds a shared lock named after its session's generation, so a tab that gets the refresh lock
 *   learns from the lock manager, not from timing, that another tab has newer tokens, and waits
 *   for them instead of spending a refresh token that was already rotated.
 *
 * Without `BroadcastChannel` or `navigator.locks` (old browsers, some webviews) each tab keeps its
 * own session, as without this add-on, and it says so once on the console.
 *
 * @example
 * ```ts
 * import { createClient } from 'latchkey'
 * import { syncTabs } from 'latchkey/tabs'
 *
 * const auth = createClient({ issuer, clientId, redirectUri, tabs: syncTabs() })
 * ```
 */
export const syncTabs = ({
  lockTimeoutSeconds = 15,
  askTimeoutSeconds = 3,
}: SyncTabsOptions = {}): ClientExtension => {
  const supported = !!(globalThis.BroadcastChannel && globalThis.navigator?.locks)
  let context: ClientContext | undefined
  let channel: BroadcastChannel | undefined
  let prefix = ''
  /** The generation of the tokens this tab holds (0: none seen yet). */
  let generation = 0
  /** Releases the shared lock that says which generation this tab holds. */
  let releaseGeneration = () => {}
  /** Set while a change from another tab is applied, so it is not broadcast back. */
  let applying = false
  /** Wakes those waiting for a newer generation to arrive. */
  const waiting = new Set<() => void>()

  const post = (message: TabMessage) => channel?.postMessage(message)

  /** This tab now holds `next`: hold its generation lock while there are tokens, drop the old one. */
  const holdGeneration = (next: number) => {
    generation = next
    releaseGeneration()
    releaseGeneration = () => {}
    if (context?.tokens.get()) {
      void navigator.locks.request(
        `${prefix}:generation:${next}`,
        { mode: 'shared' },
        () =>
          new Promise<void>((release) => {
            releaseGeneration = release
          }),
      )
    }
    for (const wake of waiting) wake()
  }

  /** The newest generation any tab holds, as the lock manager sees it now. */
  const newestGeneration = async () => {
    const { held = [], pending = [] } = await navigator.locks.query()
    return Math.max(
      0,
      ...[...held, ...pending].map(({ name = '' }) =>
        name.startsWith(`${prefix}:generation:`) ? +name.slice(prefix.length + 12) : 0,
      ),
    )
  }

  /** Waits until this tab holds `wanted` or newer, asking the others for it; false after the limit. */
  const catchUp = (wanted: number, seconds: number) =>
    new Promise<boolean>((resolve) => {
      const done = (ok: boolean) => {
        waiting.delete(check)
        clearTimeout(timer)
        resolve(ok)
      }
      const check = () => {
        if (generation >= wanted) done(true)
      }
      const timer = setTimeout(() => done(false), seconds * 1000)
      waiting.add(check)
      check()
      post({
        type: 'ask',
        issuer: context?.issuer as string,
        clientId: context?.options.clientId as string,
      })
    })

  const receive = ({ data }: MessageEvent) => {
    if (!context) return
    const { tokens: holder, issuer, options } = context
    const message = readTabMessage(data, issuer, options.clientId)
    if (message?.type === 'ask') {
      const tokens = holder.get()
      if (tokens)
        post({
          type: 'session',
          issuer,
          clientId: options.clientId,
          reason: 'login',
          tokens,
          generation,
        })
    } else if (message && message.generation > generation) {
      applying = true
      try {
        if (message.tokens) {
          if (admitTokens(context, message.tokens, message.reason))
            holdGeneration(message.generation)
        } else {
          if (holder.get()) holder.set(undefined, message.reason)
          holdGeneration(message.generation)
        }
      } finally {
        applying = false
      }
    }
  }

  return {
    attach(clientContext) {
      if (!supported) {
        if (!saidUnsupported) {
          saidUnsupported = true
          console.info(
            'latchkey: no BroadcastChannel or Web Locks here: each tab keeps its own session',
          )
        }
        return
      }
      context = clientContext
      prefix = `latchkey:${context.issuer}:${context.options.clientId}`
      channel = new BroadcastChannel(prefix)
      channel.onmessage = receive
      context.tokens.subscribe((tokens, reason) => {
        // An expiry with no refresh token is seen by every tab on its own clock.
        if (applying || reason === 'expired' || !context) return
        holdGeneration(Math.max(generation + 1, Date.now()))
        post({
          type: 'session',
          issuer: context.issuer,
          clientId: context.options.clientId,
          reason,
          tokens,
          generation,
        })
      })
    },

    lock: (task) =>
      context
        ? navigator.locks
            .request(
              `${prefix}:refresh`,
              { signal: AbortSignal.timeout(lockTimeoutSeconds * 1000) },
              async () => {
                // Re-read under the lock (rule 20): a tab holding a newer generation refreshed while
                // this one waited; take its tokens rather than replay a rotated refresh token.
                const newest = await newestGeneration()
                if (newest > generation && !(await catchUp(newest, lockTimeoutSeconds))) {
                  throw new AuthError(
                    'timeout',
                    'Newer session in another tab never arrived: retry',
                  )
                }
                return task()
              },
            )
            .catch((error: unknown) => {
              throw (error as DOMException)?.name === 'TimeoutError'
                ? new AuthError('timeout', 'Refresh lock busy in another tab: retry', {
                    cause: error,
                  })
                : error
            })
        : task(),

    async restore() {
      if (!context) return false
      if (context.tokens.get()) return true
      const newest = await newestGeneration()
      return newest > 0 && (await catchUp(newest, askTimeoutSeconds))
    },
  }
}
