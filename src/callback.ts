import { defined } from './defined.js'
import { fail } from './errors.js'

/** The parameters of an authorization response (RFC 6749 §4.1.2, §4.1.2.1; RFC 9207 §2). */
export interface CallbackParams {
  /** `state`, exactly as the server sent it back. */
  state: string
  /** The authorization code; absent when there is an `error`. */
  code?: string
  /** The issuer that sent the response (RFC 9207). */
  iss?: string
  /** The OAuth `error` code (RFC 6749 §4.1.2.1), such as `access_denied`. Capped at 500 characters. */
  error?: string
  /** Attacker-controllable text: show it as text only. Capped at 500 characters. */
  errorDescription?: string
  /** Kept only when https. */
  errorUri?: string
}

/** The parameters that make up the response; only these are stripped from the address bar. */
export const CALLBACK_PARAMS = [
  'code',
  'state',
  'iss',
  'error',
  'error_description',
  'error_uri',
  'session_state',
]

/**
 * True when a URL carries an authorization response: `state` and (`code` or `error`) in its
 * query. Empty values count as absent; the fragment is ignored.
 *
 * @example
 * ```ts
 * isCallbackUrl('https://app.example.com/callback?code=x&state=y') // true
 * ```
 */
export const isCallbackUrl = (url: string | URL): boolean => {
  try {
    const query = new URL(url).searchParams
    const has = (name: string) => query.getAll(name).some(Boolean)
    return has('state') && (has('code') || has('error'))
  } catch {
    return false
  }
}

/**
 * Reads an authorization response from a redirect URL, parsing the query once. The fragment and
 * unknown parameters are ignored; a repeated `code`, `state`, `iss` or `error`, or `code` with
 * `error`, is malformed. `error` and `error_description` are cut to 500 characters.
 *
 * @throws {@link AuthError} `not_a_callback` when there is no response, `invalid_callback` when
 * it is malformed.
 * @example
 * ```ts
 * const { code, state, iss } = parseCallbackUrl('com.example.app:/callback?code=x&state=y')
 * ```
 */
export const parseCallbackUrl = (url: string | URL): CallbackParams => {
  if (!isCallbackUrl(url)) {
    fail('not_a_callback', 'No OAuth response in URL: call at redirectUri')
  }
  const query = new URL(url).searchParams
  const get = (name: string): string | undefined => {
    const values = query.getAll(name).filter(Boolean)
    if (values[1]) fail('invalid_callback', `Repeated ${name}: log in again`)
    return values[0]
  }
  const code = get('code')
  const error = get('error')
  const errorUri = query.get('error_uri')
  if (code && error) fail('invalid_callback', 'Both code and error: log in again')
  return defined<CallbackParams>({
    state: get('state') as string,
    code,
    iss: get('iss'),
    error: error?.slice(0, 500),
    errorDescription: query.get('error_description')?.slice(0, 500) || undefined,
    errorUri: errorUri?.startsWith('https://') ? errorUri : undefined,
  })
}
