import { AuthError, isAuthError } from './errors.js'

/** How latchkey talks to the authorization server. */
export interface RequestOptions {
  /** The `fetch` to use (a test double, a native shell's HTTP client). @default globalThis.fetch */
  fetch?: typeof fetch
  /** Give up after this many milliseconds. @default 10000 */
  timeoutMs?: number
}

/** A server's answer: the response and its body parsed as JSON (undefined when it is not JSON). */
export interface JsonResponse {
  /** The HTTP response; its body has been read already. */
  response: Response
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown
}

/**
 * Sends one request to the authorization server and reads the whole body within a time limit.
 * It asks for JSON: discovery, token and revocation endpoints all answer in JSON (RFC 7009
 * §2.2.1 uses RFC 6749 §5.2 errors). Unless `init.redirect` is `'follow'` (discovery, which
 * carries no secret), a redirect is refused, not followed: a redirected token request would carry
 * the code verifier to wherever it points. No cookies are sent: the server needs none from a
 * public client. The caller's headers are kept. The limit is enforced even on a `fetch` that
 * ignores the abort signal, so a late answer is never read.
 *
 * @throws {@link AuthError} `timeout`, `network_error`, or `invalid_response` for a refused redirect.
 */
export const requestJson = async (
  url: string,
  init: RequestInit,
  { fetch: fetchImpl = fetch, timeoutMs = 10_000 }: RequestOptions = {},
): Promise<JsonResponse> => {
  const controller = new AbortController()
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    return await Promise.race([
      (async () => {
        const headers = new Headers(init.headers)
        headers.set('accept', 'application/json')
        const response = await fetchImpl(url, {
          redirect: 'manual',
          ...init,
          headers,
          credentials: 'omit',
          cache: 'no-store',
          referrerPolicy: 'no-referrer',
          signal: controller.signal,
        })
        // A fetch that ignores the signal may still answer after the limit: leave that body unread.
        controller.signal.throwIfAborted()
        // `manual` shows the redirect instead of following it: a browser gives an opaque answer,
        // other runtimes the 3xx itself. Either way it is the server's doing, not the network's.
        if (response.type === 'opaqueredirect' || ((response.status / 100) | 0) === 3) {
          throw new AuthError('invalid_response', `${url} redirected: use the final URL`, {
            status: response.status,
          })
        }
        const text = await response.text()
        let json: unknown
        try {
          json = JSON.parse(text)
        } catch {}
        return { response, json }
      })(),
      new Promise<never>((_, reject) => {
        // setTimeout's largest delay is 2^31-1 ms: a larger one would fire at once.
        timer = setTimeout(
          () => {
            controller.abort()
            reject(
              new AuthError(
                'timeout',
                `${url} timed out (${timeoutMs} ms): retry or raise timeoutMs`,
              ),
            )
          },
          Math.min(timeoutMs, 2 ** 31 - 1),
        )
      }),
    ])
  } catch (cause) {
    throw isAuthError(cause)
      ? cause
      : new AuthError('network_error', `${url} unreachable: check network, URL, CORS`, {
          cause,
        })
  } finally {
    clearTimeout(timer)
  }
}

/**
 * POSTs the parameters that have a value as a form (RFC 6749 Appendix B):
 * how every grant (RFC 6749 §4.1.3, §6) and a revocation (RFC 7009 §2.1) are sent.
 *
 * @throws {@link AuthError} `timeout` or `network_error`.
 */
export const postForm = (
  url: string,
  params: Record<string, string | undefined>,
  options?: RequestOptions,
): Promise<JsonResponse> =>
  requestJson(
    url,
    {
      method: 'POST',
      // An empty value is no value: `scope=` would ask for an empty scope, not the default one.
      body: new URLSearchParams(
        Object.entries(params).filter((param): param is [string, string] => !!param[1]),
      ),
    },
    options,
  )
