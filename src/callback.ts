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

const MAX_DESCRIPTION = 500

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

const toUrl = (url: string | URL): URL | undefined => {
  try {
    return new URL(url)
  } catch {
    return undefined
  }
}

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
  const query = toUrl(url)?.searchParams
  const has = (name: string) => !!query?.getAll(name).some(Boolean)
  return has('state') && (has('code') || has('error'))
}

/**
 * Reads an authorization response from a redirect URL, parsing the query once. The fragment and
 * unknown parameters are ignored; a repeated `code`, `state`, `iss` or `error`, or `code` with
 * `error`, is malformed.
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
    fail('not_a_callback', 'No OAuth response in the URL: call this at redirectUri')
  }
  const query = new URL(url).searchParams
  const get = (name: string): string | undefined => {
    const values = query.getAll(name).filter(Boolean)
    if (values.length > 1) {
      fail('invalid_callback', `Repeated ${name} in the response: log in again`)
    }
    return values[0]
  }
  const params: CallbackParams = { state: get('state') as string }
  const code = get('code')
  const iss = get('iss')
  const error = get('error')
  const description = query.get('error_description')
  const errorUri = query.get('error_uri')
  if (code && error) {
    fail('invalid_callback', 'Response has code and error: log in again')
  }
  if (code) params.code = code
  if (iss) params.iss = iss
  if (error) params.error = error.slice(0, MAX_DESCRIPTION)
  if (description) params.errorDescription = description.slice(0, MAX_DESCRIPTION)
  if (errorUri?.startsWith('https://')) params.errorUri = errorUri
  return params
}
