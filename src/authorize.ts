import { fail } from './errors.js'
import { withQuery } from './query.js'

/** Extra `/authorize` parameters (`prompt`, `login_hint`, `organization`, …); undefined ones are left out. */
export type AuthorizeParams = Record<string, string | undefined>

/** Everything one authorization request (RFC 6749 §4.1.1 + RFC 7636 §4.3) carries. */
export interface AuthorizationRequest {
  /** The authorization endpoint (RFC 6749 §3.1). */
  authorizationEndpoint: string
  /** `client_id`: the application's id at the authorization server. */
  clientId: string
  /** `redirect_uri`: where the response goes; the token request must repeat it exactly (RFC 6749 §4.1.3). */
  redirectUri: string
  /** `scope`, space-separated (RFC 6749 §3.3); with `openid` the request is also an OpenID Connect one. */
  scope: string
  /** `state`, for example from {@link createRandomState}: binds the response to this browser (RFC 6749 §10.12). */
  state: string
  /** `code_challenge` from {@link createCodeChallenge}; sent with `code_challenge_method=S256`. */
  codeChallenge: string
  /** `nonce` (OIDC Core §3.1.2.1): the ID token must carry it back. Left out when undefined. */
  nonce?: string | undefined
  /** Auth0's API identifier (a resource indicator elsewhere). */
  audience?: string | undefined
  /** Further parameters; one that would replace a parameter above throws instead. */
  extraParams?: AuthorizeParams | undefined
}

/**
 * Parameters latchkey sets itself. Letting an extra parameter replace one would turn a check off
 * (`state`, `code_challenge`) or break the response handling (`response_mode`); a request object
 * (RFC 9101 `request`, `request_uri`) would replace every one of them.
 */
const RESERVED =
  /^(response_(type|mode)|client_(id|secret)|redirect_uri|scope|audience|state|nonce|code_(challenge(_method)?|verifier)|request(_uri)?)$/

/**
 * Refuses extra authorize parameters that would override one latchkey owns.
 *
 * @throws {@link AuthError} `invalid_config` naming the parameter.
 */
export const assertAuthorizeParams = (params: AuthorizeParams = {}): void => {
  for (const name of Object.keys(params)) {
    if (RESERVED.test(name)) fail('invalid_config', `Reserved authorizeParams.${name}: remove it`)
  }
}

/**
 * The `/authorize` URL for a code flow with PKCE S256. Query parameters already on the endpoint
 * are kept (some servers put a policy there).
 *
 * @throws {@link AuthError} `invalid_config` for a reserved extra parameter.
 * @example
 * ```ts
 * location.assign(buildAuthorizeUrl({
 *   authorizationEndpoint: 'https://id.example.com/authorize',
 *   clientId: 'abc', redirectUri: 'https://app.example.com/callback', scope: 'openid',
 *   state, nonce, codeChallenge,
 * }))
 * ```
 */
export const buildAuthorizeUrl = (request: AuthorizationRequest): string => {
  assertAuthorizeParams(request.extraParams)
  return authorizeUrl(
    request.authorizationEndpoint,
    {
      client_id: request.clientId,
      redirect_uri: request.redirectUri,
      scope: request.scope,
      audience: request.audience,
      state: request.state,
      nonce: request.nonce,
      code_challenge: request.codeChallenge,
    },
    request.extraParams,
  )
}

/**
 * The `/authorize` URL from the request's parameters by their protocol names, with
 * `response_type=code` and `code_challenge_method=S256`. The client calls it directly, so its
 * bundle does not also carry {@link buildAuthorizeUrl}'s camelCase names. `extraParams` must
 * have passed {@link assertAuthorizeParams}.
 */
export const authorizeUrl = (
  authorizationEndpoint: string,
  params: AuthorizeParams,
  extraParams?: AuthorizeParams,
): string =>
  withQuery(authorizationEndpoint, {
    response_type: 'code',
    ...params,
    code_challenge_method: 'S256',
    ...extraParams,
  })
