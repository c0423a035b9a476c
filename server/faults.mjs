/**
 * Fault injection for the token endpoint: lets a test make the next token request fail, hang,
 * lie or arrive late, to show how the client copes (security.md rules 11–13). The authorization
 * endpoint has a switch too (`faults.authorize`), for silent-login and popup timeouts.
 *
 * A fault answers the request before oidc-provider sees it, so a faked answer to an
 * authorization-code request leaves the code unused.
 *
 * @module
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { applyCors } from './cors.mjs'

/**
 * What the next token request gets instead of oidc-provider's answer:
 * - `{ status, headers?, body? }`: that response; an object body is sent as JSON, a string as is
 *   (`text/plain`, or `text/html` when it starts with `<`, unless `headers` sets the type);
 * - `'reset'`: the connection is reset (TCP RST) without an answer; fetch rejects with a
 *   TypeError. Browsers silently resend a request whose reused keep-alive connection drops (they
 *   take it for an idle timeout), so on a reused connection the fault stays queued and the
 *   resent request, on a fresh connection, is reset too: one failed fetch, two `tokenRequests`;
 * - `'hang'`: no answer ever (until the client gives up or the server closes);
 * - `{ delayMs, then? }`: wait, then apply `then`, or without `then` let oidc-provider answer
 *   for real (a slow server). If the client gives up first, the browser closes the connection,
 *   oidc-provider cannot read the body and the code stays unused; to test a code spent by a
 *   late answer, delay the response in the browser instead (Playwright's `route.fetch`).
 *
 * CORS headers for the app's origins are added to faked responses, and every header in `headers`
 * is exposed, so the page can read e.g. `Retry-After`.
 *
 * @typedef {{ status: number, headers?: Record<string, string>, body?: string | object }
 *   | 'reset' | 'hang' | { delayMs: number, then?: FaultSpec }} FaultSpec
 */

/**
 * @typedef {object} Faults
 * @property {(spec: FaultSpec) => void} nextTokenResponse Queues a fault for the next token
 *   request; several calls queue several faults, one per request, in order.
 * @property {() => void} clear Drops the faults not yet used, and sets `authorize` back to null.
 * @property {number} pending How many queued faults are still to be used.
 * @property {FaultSpec | null} authorize A switch, not a queue: while set, every request to the
 *   authorization endpoint (`GET`/`POST /authorize`) gets this fault, e.g. `'hang'` (never
 *   answers: a hidden iframe or a popup waits until the client gives up) or `{ delayMs: 2000 }`;
 *   `null` (the default) lets oidc-provider answer. Assign to switch, at any time.
 */

/**
 * @param {unknown} spec
 * @returns {FaultSpec}
 */
function validate(spec) {
  if (spec === 'reset' || spec === 'hang') return spec
  if (typeof spec === 'object' && spec !== null) {
    const fault = /** @type {Record<string, unknown>} */ (spec)
    if ('delayMs' in fault) {
      const { delayMs, then } = fault
      if (typeof delayMs !== 'number' || !(delayMs >= 0)) {
        throw new TypeError('fault delayMs must be a number ≥ 0')
      }
      if (then !== undefined) validate(then)
      return /** @type {FaultSpec} */ (spec)
    }
    const { status, headers, body } = fault
    const statusOk = Number.isInteger(status) && Number(status) >= 200 && Number(status) <= 599
    const headersOk =
      headers === undefined ||
      (typeof headers === 'object' &&
        headers !== null &&
        Object.values(headers).every((value) => typeof value === 'string'))
    const bodyOk = body === undefined || typeof body === 'string' || typeof body === 'object'
    if (statusOk && headersOk && bodyOk) return /** @type {FaultSpec} */ (spec)
  }
  throw new TypeError(
    "fault must be { status, headers?, body? }, 'reset', 'hang' or { delayMs, then? }: " +
      `got ${JSON.stringify(spec)}`,
  )
}

/**
 * @param {object} options
 * @param {string} options.tokenPath
 * @param {string} options.authorizationPath
 * @param {ReadonlySet<string>} options.allowedOrigins Origins that get CORS headers.
 * @returns {{ faults: Faults,
 *   middleware: (ctx: import('koa').Context, next: () => Promise<void>) => Promise<void>,
 *   close: () => void }}
 */
export function createFaultInjector({ tokenPath, authorizationPath, allowedOrigins }) {
  /** @type {FaultSpec[]} */
  const queue = []
  /** @type {FaultSpec | null} */
  let authorizeFault = null
  /** Connections that have carried a request: a browser resends on these when they drop. */
  const usedSockets = new WeakSet()
  // Ends pending delays when the server closes, so no timer outlives it.
  const closing = new AbortController()

  /** @type {Faults} */
  const faults = {
    nextTokenResponse(spec) {
      queue.push(validate(spec))
    },
    clear() {
      queue.length = 0
      authorizeFault = null
    },
    get pending() {
      return queue.length
    },
    get authorize() {
      return authorizeFault
    },
    set authorize(spec) {
      authorizeFault = spec === null || spec === undefined ? null : validate(spec)
    },
  }

  /**
   * @param {import('koa').Context} ctx
   * @param {() => Promise<void>} next
   * @param {FaultSpec} spec
   * @param {boolean} reusedSocket
   * @returns {Promise<void>}
   */
  async function play(ctx, next, spec, reusedSocket) {
    if (spec === 'reset') {
      if (reusedSocket) queue.unshift('reset')
      ctx.respond = false
      ctx.req.socket.resetAndDestroy()
      return
    }
    if (spec === 'hang') {
      ctx.respond = false
      return
    }
    if ('delayMs' in spec) {
      try {
        await sleep(spec.delayMs, undefined, { signal: closing.signal })
      } catch {
        ctx.respond = false
        return
      }
      return spec.then === undefined ? next() : play(ctx, next, spec.then, reusedSocket)
    }
    const headers = spec.headers ?? {}
    applyCors(ctx, allowedOrigins, Object.keys(headers))
    ctx.set('Cache-Control', 'no-store')
    ctx.status = spec.status
    if (spec.body !== undefined) ctx.body = spec.body
    for (const [name, value] of Object.entries(headers)) ctx.set(name, value)
  }

  return {
    faults,
    async middleware(ctx, next) {
      const { socket } = ctx.req
      const reusedSocket = usedSockets.has(socket)
      usedSockets.add(socket)
      if (ctx.path === authorizationPath && (ctx.method === 'GET' || ctx.method === 'POST')) {
        return authorizeFault === null ? next() : play(ctx, next, authorizeFault, false)
      }
      if (ctx.method !== 'POST' || ctx.path !== tokenPath) return next()
      const spec = queue.shift()
      return spec === undefined ? next() : play(ctx, next, spec, reusedSocket)
    },
    close() {
      queue.length = 0
      authorizeFault = null
      closing.abort()
    },
  }
}
