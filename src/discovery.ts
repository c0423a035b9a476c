import { fail } from './errors.js'
import { type RequestOptions, requestJson } from './request.js'
import { isSecureUrl } from './secure-url.js'

/** The metadata latchkey reads from an OpenID Provider (OIDC Discovery §3, RFC 8414 §2). */
export interface AuthorizationServerMetadata {
  /** The issuer identifier; {@link discover} requires it to equal the configured one exactly. */
  issuer: string
  /** The authorization endpoint (RFC 6749 §3.1). */
  authorization_endpoint: string
  /** The token endpoint (RFC 6749 §3.2). */
  token_endpoint: string
  /** Where logout sends the browser (OIDC RP-Initiated Logout 1.0 §2.1). */
  end_session_endpoint?: string
  /** The token revocation endpoint (RFC 7009, listed per RFC 8414 §2). */
  revocation_endpoint?: string
  /** RFC 9207 §3: when true, every authorization response must carry `iss`. */
  authorization_response_iss_parameter_supported?: boolean
  /** The PKCE methods the server supports (RFC 8414 §2); when listed, `S256` must be one. */
  code_challenge_methods_supported?: string[]
  [name: string]: unknown
}

/**
 * Fetches `{issuer}/.well-known/openid-configuration` and checks it: the document's `issuer`
 * must equal the configured one exactly (RFC 8414 §3.3, OIDC Discovery §4.3), both endpoints must
 * be present, and a server that lists PKCE methods must list S256.
 *
 * @throws {@link AuthError} `issuer_mismatch`, `invalid_response`, `invalid_config` (no S256),
 * `network_error` or `timeout`.
 * @example
 * ```ts
 * const metadata = await discover('https://id.example.com')
 * metadata.token_endpoint // 'https://id.example.com/oauth/token'
 * ```
 */
export const discover = async (
  issuer: string,
  options?: RequestOptions,
): Promise<AuthorizationServerMetadata> => {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`
  // A discovery document holds no secret, and real servers redirect it (to a trailing-slash
  // form, say): follow. The issuer check below still decides whether it is the right server.
  const { response, json } = await requestJson(url, { redirect: 'follow' }, options)
  const metadata = json as AuthorizationServerMetadata | undefined
  if (
    response.status !== 200 ||
    typeof metadata?.authorization_endpoint !== 'string' ||
    typeof metadata.token_endpoint !== 'string'
  ) {
    fail('invalid_response', `No metadata at ${url} (${response.status}): check issuer`, {
      status: response.status,
    })
  }
  for (const name of [
    'authorization_endpoint',
    'token_endpoint',
    'end_session_endpoint',
    'revocation_endpoint',
  ]) {
    // The verifier, the code and the tokens go to these: a document that sends them over plain http is refused.
    if (metadata[name] !== undefined && !isSecureUrl(metadata[name])) {
      fail('invalid_response', `${name} is not https: fix server`)
    }
  }
  if (metadata.issuer !== issuer) {
    fail('issuer_mismatch', `Metadata issuer is ${metadata.issuer}: use that`)
  }
  const methods = metadata.code_challenge_methods_supported
  if (Array.isArray(methods) && methods.length && !methods.includes('S256')) {
    fail('invalid_config', `${issuer} lacks PKCE S256: enable it`)
  }
  return metadata
}
