// oauth4webapi: its public-client example, as an SPA. A low-level library: the app stores the
// transaction across the redirect and keeps the tokens itself. The server's metadata is written
// out, as latchkey's `domain` does, rather than discovered.
import * as oauth from 'oauth4webapi'

const as = {
  issuer: 'https://tenant.auth0.com/',
  authorization_endpoint: 'https://tenant.auth0.com/authorize',
  token_endpoint: 'https://tenant.auth0.com/oauth/token',
}
const client = { client_id: 'abc123' }
const clientAuth = oauth.None()
const redirectUri = `${location.origin}/callback`
let tokens

const remember = (response) => {
  tokens = { ...response, expiresAt: Date.now() + (response.expires_in ?? 0) * 1000 }
  return tokens.access_token
}

export const login = async () => {
  const codeVerifier = oauth.generateRandomCodeVerifier()
  const state = oauth.generateRandomState()
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: redirectUri,
    scope: 'openid profile email offline_access',
    audience: 'https://api.example.com',
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
  })
  sessionStorage.setItem('oauth', JSON.stringify({ codeVerifier, state }))
  location.assign(`${as.authorization_endpoint}?${query}`)
}

export const handleCallback = async () => {
  const { codeVerifier, state } = JSON.parse(sessionStorage.getItem('oauth'))
  sessionStorage.removeItem('oauth')
  const params = oauth.validateAuthResponse(as, client, new URL(location.href), state)
  history.replaceState(null, '', location.pathname)
  const response = await oauth.authorizationCodeGrantRequest(
    as,
    client,
    clientAuth,
    params,
    redirectUri,
    codeVerifier,
  )
  return remember(await oauth.processAuthorizationCodeResponse(as, client, response))
}

export const getAccessToken = async () => {
  if (Date.now() < tokens.expiresAt) return tokens.access_token
  const response = await oauth.refreshTokenGrantRequest(
    as,
    client,
    clientAuth,
    tokens.refresh_token,
  )
  return remember(await oauth.processRefreshTokenResponse(as, client, response))
}
