export { type AuthorizationRequest, type AuthorizeParams, buildAuthorizeUrl } from './authorize'
export { type CallbackParams, isCallbackUrl, parseCallbackUrl } from './callback'
export {
  type Client,
  createClient,
  type GetAccessTokenOptions,
  type LoginOptions,
  type LogoutOptions,
  type RedirectResult,
} from './client'
export { type AuthorizationServerMetadata, discover } from './discovery'
export { buildEndSessionUrl, type EndSessionRequest } from './end-session'
export { AuthError, type AuthErrorCode, type AuthErrorDetails, isAuthError } from './errors'
export { type IdTokenExpectations, validateIdTokenClaims } from './id-token'
export { type DecodedJwt, decodeJwt, type JwtClaims } from './jwt'
export type { ClientOptions, Endpoints, Navigate } from './options'
export { createCodeChallenge, createCodeVerifier } from './pkce'
export { createRandomState } from './random'
export type { JsonResponse, RequestOptions } from './request'
export { safeReturnTo } from './return-to'
export { type RevocationRequest, revokeToken } from './revocation'
export {
  type CodeExchange,
  exchangeCode,
  type RefreshRequest,
  refreshTokens,
} from './token-endpoint'
export {
  type ChangeReason,
  createTokenStore,
  type TokenListener,
  type TokenSet,
  type TokenStore,
} from './token-store'
export type { Transaction, TransactionStorage } from './transaction'
