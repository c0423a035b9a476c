import { fail } from '../errors.js'
import type { GetAccessTokenOptions } from './client.js'
import type { ClientContext } from './context.js'

/**
 * True when a 401's `WWW-Authenticate` asks for a new token of this scheme: its challenge says
 * `error="invalid_token"` (RFC 6750 §3.1, RFC 9449 §7.1), and not a challenge of another scheme
 * in the same header. A header the API's CORS hides (null) counts as asking: a resource server
 * answers 401 to a request that carried a token only when it did not accept that token
 * (`insufficient_scope` is a 403), and one refresh is cheap next to a signed-out user.
 */
const asksForNewToken = (challenges: string | null, scheme: string) =>
  challenges === null ||
  // The scheme's own challenge runs up to the next `, <scheme> <param>=` (RFC 9110 §11.6.1).
  new RegExp(
    `(^|,)\\s*${scheme}\\s((?!,\\s*[\\w-]+\\s+[\\w-]+=)[^])*\\berror="?invalid_token\\b`,
    'i',
  ).test(challenges)

/**
 * The client's `fetch`: sends the access token (`Authorization: Bearer`, or `DPoP` with the add-on)
 * only to {@link ClientOptions.apiOrigins}, and when the API refuses it, refreshes once and
 * retries once.
 */
export const createApiFetch = (
  context: ClientContext,
  getAccessToken: (options?: GetAccessTokenOptions) => Promise<string>,
): ((input: RequestInfo | URL, init?: RequestInit) => Promise<Response>) => {
  const { options, tokenType } = context
  const apiOrigins = options.apiOrigins ?? [
    globalThis.location?.origin,
    /^https:\/\//.test(options.audience ?? '')
      ? new URL(options.audience as string).origin
      : undefined,
  ]
  return async (input, init) => {
    const request = new Request(input, init)
    const { origin } = new URL(request.url)
    if (!apiOrigins.includes(origin)) {
      fail('invalid_config', `${origin} not in apiOrigins: add it`)
    }
    const spare = request.clone()
    const send = async (req: Request, forceRefresh?: boolean) => {
      req.headers.set(
        'authorization',
        `${tokenType} ${await getAccessToken({ forceRefresh: !!forceRefresh })}`,
      )
      return (context.request.fetch as typeof fetch)(req)
    }
    const response = await send(request)
    return response.status === 401 &&
      asksForNewToken(response.headers.get('www-authenticate'), tokenType) &&
      context.tokens.get()?.refreshToken
      ? send(spare, true)
      : response
  }
}
