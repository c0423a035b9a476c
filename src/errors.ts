/**
 * Stable error codes. Each names one kind of failure; the table in the README says when each
 * happens and what to do about it.
 */
export type AuthErrorCode =
  | 'invalid_config'
  | 'insecure_context'
  | 'not_a_callback'
  | 'invalid_callback'
  | 'state_mismatch'
  | 'missing_transaction'
  | 'transaction_expired'
  | 'issuer_mismatch'
  | 'authorization_error'
  | 'token_error'
  | 'invalid_response'
  | 'invalid_id_token'
  | 'network_error'
  | 'timeout'
  | 'login_required'
  | 'popup_blocked'
  | 'popup_closed'

/** What a server said about a failure, kept beside the code. */
export interface AuthErrorDetails {
  /** The OAuth `error` value from the server (`invalid_grant`, `access_denied`, …). */
  error?: string | undefined
  /** The server's `error_description`: attacker-controllable text, shown only as text. */
  errorDescription?: string | undefined
  /** The server's `error_uri`, kept only when it is https. */
  errorUri?: string | undefined
  /** HTTP status of the response that failed. */
  status?: number | undefined
  /** Seconds the server asked us to wait (`Retry-After`, RFC 9110 §10.2.3). */
  retryAfter?: number | undefined
  /** The underlying failure (a `TypeError` from `fetch`, a `DOMException`, …). */
  cause?: unknown
}

/**
 * The one error type latchkey throws. Match on {@link AuthError.code}, never on the message:
 * messages say the cause and the fix for a human and may be reworded.
 *
 * @example
 * ```ts
 * try {
 *   await auth.handleRedirectCallback()
 * } catch (e) {
 *   if (isAuthError(e) && e.code === 'authorization_error' && e.error === 'access_denied') showDenied()
 *   else throw e
 * }
 * ```
 */
export class AuthError extends Error {
  /** Always `'AuthError'`: what {@link isAuthError} matches on. */
  override readonly name = 'AuthError'
  /** The OAuth `error` value from the server (`invalid_grant`, `access_denied`, …). */
  declare readonly error?: string
  /** The server's `error_description`: attacker-controllable text, shown only as text. */
  declare readonly errorDescription?: string
  /** The server's `error_uri`, kept only when it is https. */
  declare readonly errorUri?: string
  /** HTTP status of the response that failed. */
  declare readonly status?: number
  /** Seconds the server asked us to wait (`Retry-After`, RFC 9110 §10.2.3). */
  declare readonly retryAfter?: number

  /**
   * @param message The cause and the fix, for a human; ` [code]` is appended.
   * @param details What the server said; each detail becomes a property.
   */
  constructor(
    /** Stable, machine-readable reason. */
    readonly code: AuthErrorCode,
    message: string,
    details?: AuthErrorDetails,
  ) {
    super(`${message} [${code}]`, details)
    Object.assign(this, details)
  }
}

/**
 * The server's `error` value as a message may quote it: a plain code such as `access_denied`,
 * else a pointer to the `error` property. The value can be attacker-chosen text (security.md
 * rule 7), and a message ends up in logs and UIs, where markup or line breaks do harm.
 */
export const quotableErrorCode = (error: string): string =>
  /^[\w.-]{1,64}$/.test(error) ? error : 'see error'

/**
 * True for an {@link AuthError}, also one thrown in another realm (iframe, worker) where
 * `instanceof` fails: it matches on the name and the code.
 *
 * @example
 * ```ts
 * try {
 *   await auth.getAccessToken()
 * } catch (e) {
 *   if (isAuthError(e) && e.code === 'login_required') await auth.login()
 *   else throw e
 * }
 * ```
 */
export const isAuthError = (value: unknown): value is AuthError =>
  (value as AuthError | null)?.name === 'AuthError' && typeof (value as AuthError).code === 'string'

/**
 * Throws an {@link AuthError} with the details that are set; as a call, it also fits where an
 * expression is expected. `details` must be a fresh object: its undefined members are removed.
 */
export function fail(code: AuthErrorCode, message: string, details?: AuthErrorDetails): never {
  // A detail the server did not send becomes no property at all, not an `undefined` one.
  for (const key in details) {
    if (details[key as 'cause'] === undefined) delete details[key as 'cause']
  }
  throw new AuthError(code, message, details)
}
