import { fail } from './errors.js'
import { postForm, type RequestOptions } from './request.js'

/** A token revocation request (RFC 7009 §2.1) from a public client. */
export interface RevocationRequest {
  /** The revocation endpoint (RFC 7009 §2). */
  revocationEndpoint: string
  /** `client_id`: how a public client identifies itself (RFC 6749 §3.2.1). */
  clientId: string
  /** The token to revoke; for a refresh token the server should also revoke its grant's access tokens (RFC 7009 §2.1). */
  token: string
  /** `token_type_hint`: which kind of token it is, to speed up the server's lookup (RFC 7009 §2.1). */
  tokenTypeHint?: 'refresh_token' | 'access_token'
}

/**
 * Asks the server to revoke a token. RFC 7009 §2.2: 200 means done, also for a token the server
 * no longer knows.
 *
 * @throws {@link AuthError} `token_error` for any other answer, `network_error` or `timeout`.
 * @example
 * ```ts
 * await revokeToken({ revocationEndpoint, clientId, token: tokens.refreshToken, tokenTypeHint: 'refresh_token' })
 * ```
 */
export const revokeToken = async (
  request: RevocationRequest,
  options?: RequestOptions,
): Promise<void> => {
  const { response } = await postForm(
    request.revocationEndpoint,
    { client_id: request.clientId, token: request.token, token_type_hint: request.tokenTypeHint },
    options,
  )
  if (response.status !== 200) {
    fail('token_error', `Revocation got ${response.status}: check endpoint`, {
      status: response.status,
    })
  }
}
