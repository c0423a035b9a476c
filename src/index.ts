export { type AuthorizationRequest, type AuthorizeParams, buildAuthorizeUrl } from './authorize.js'
export { type CallbackParams, isCallbackUrl, parseCallbackUrl } from './callback.js'
export type {
  Client,
  GetAccessTokenOptions,
  LoginOptions,
  LogoutOptions,
  RedirectResult,
} from './client/client.js'
export type { ClientContext } from './client/context.js'
export { createClient } from './client/create-client.js'
export type { ClientExtension, Fetch } from './client/extension.js'
export type { Server } from './client/server.js'
export type { TokenHolder } from './client/token-holder.js'
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
export { readTransactions, type Transaction, type TransactionStorage } from './transaction.js'
