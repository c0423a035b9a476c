export { type AuthorizationRequest, type AuthorizeParams, buildAuthorizeUrl } from './authorize.js'
export { type CallbackParams, isCallbackUrl, parseCallbackUrl } from './callback.js'
export {
  type Client,
  createClient,
  type GetAccessTokenOptions,
  type LoginOptions,
  type LogoutOptions,
  type RedirectResult,
} from './client.js'
export { type AuthorizationServerMetadata, discover } from './discovery.js'
export { buildEndSessionUrl, type EndSessionRequest } from './end-session.js'
export { AuthError, type AuthErrorCode, type AuthErrorDetails, isAuthError } from './errors.js'
export { type IdTokenExpectations, validateIdTokenClaims } from './id-token.js'
export { type DecodedJwt, decodeJwt, type JwtClaims } from './jwt.js'
export type { ClientOptions, Endpoints, Navigate } from './options.js'
export { createCodeChallenge, createCodeVerifier } from './pkce.js'
export { createRandomState } from './random.js'
export type { JsonResponse, RequestOptions } from './request.js'
export { safeReturnTo } from './return-to.js'
export { type RevocationRequest, revokeToken } from './revocation.js'
export {
  type CodeExchange,
  exchangeCode,
  type RefreshRequest,
  refreshTokens,
} from './token-endpoint.js'
export {
  type ChangeReason,
  createTokenStore,
  type TokenListener,
  type TokenSet,
  type TokenStore,
} from './token-store.js'
export type { Transaction, TransactionStorage } from './transaction.js'
