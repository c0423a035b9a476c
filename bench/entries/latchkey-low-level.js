// latchkey's low-level functions, used the way the oauth4webapi and badgateway entries use
// theirs: the app keeps the transaction across the redirect and holds the tokens itself, while
// latchkey builds the requests and checks the response, `iss` and the ID token's claims.
import {
  buildAuthorizeUrl,
  createCodeChallenge,
  createCodeVerifier,
  createRandomState,
  exchangeCode,
  parseCallbackUrl,
  refreshTokens,
  validateIdTokenClaims,
} from '../../src/index.ts'

const issuer = 'https://tenant.auth0.com/'
const clientId = 'abc123'
const redirectUri = `${location.origin}/callback`
const tokenEndpoint = `${issuer}oauth/token`
let tokens

export const login = async () => {
  const codeVerifier = createCodeVerifier()
  const state = createRandomState()
  const nonce = createRandomState()
  sessionStorage.setItem('oauth', JSON.stringify({ codeVerifier, state, nonce }))
  location.assign(
    buildAuthorizeUrl({
      authorizationEndpoint: `${issuer}authorize`,
      clientId,
      redirectUri,
      scope: 'openid profile email offline_access',
      audience: 'https://api.example.com',
      state,
      nonce,
      codeChallenge: await createCodeChallenge(codeVerifier),
    }),
  )
}

export const handleCallback = async () => {
  const { codeVerifier, state, nonce } = JSON.parse(sessionStorage.getItem('oauth'))
  sessionStorage.removeItem('oauth')
  const params = parseCallbackUrl(location.href)
  history.replaceState(null, '', location.pathname)
  if (params.state !== state || (params.iss && params.iss !== issuer) || !params.code) {
    throw new Error('bad response')
  }
  tokens = await exchangeCode({
    tokenEndpoint,
    clientId,
    code: params.code,
    redirectUri,
    codeVerifier,
  })
  validateIdTokenClaims(tokens.idToken, { issuer, clientId, nonce })
  return tokens.accessToken
}

export const getAccessToken = async () => {
  if (Date.now() >= tokens.expiresAt) {
    const next = await refreshTokens({ tokenEndpoint, clientId, refreshToken: tokens.refreshToken })
    tokens = { ...next, refreshToken: next.refreshToken ?? tokens.refreshToken }
  }
  return tokens.accessToken
}
