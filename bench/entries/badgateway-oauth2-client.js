// @badgateway/oauth2-client: its README's authorization_code flow with PKCE. The app stores the
// verifier and state across the redirect and keeps the token.
import { generateCodeVerifier, OAuth2Client } from '@badgateway/oauth2-client'

const client = new OAuth2Client({
  server: 'https://tenant.auth0.com/',
  clientId: 'abc123',
  authorizationEndpoint: '/authorize',
  tokenEndpoint: '/oauth/token',
})
const redirectUri = `${location.origin}/callback`
let token

export const login = async () => {
  const codeVerifier = await generateCodeVerifier()
  const state = crypto.randomUUID()
  sessionStorage.setItem('oauth', JSON.stringify({ codeVerifier, state }))
  location.assign(
    await client.authorizationCode.getAuthorizeUri({
      redirectUri,
      state,
      codeVerifier,
      scope: ['openid', 'profile', 'email', 'offline_access'],
      extraParams: { audience: 'https://api.example.com' },
    }),
  )
}

export const handleCallback = async () => {
  const { codeVerifier, state } = JSON.parse(sessionStorage.getItem('oauth'))
  sessionStorage.removeItem('oauth')
  token = await client.authorizationCode.getTokenFromCodeRedirect(location.href, {
    redirectUri,
    state,
    codeVerifier,
  })
  history.replaceState(null, '', location.pathname)
  return token.accessToken
}

export const getAccessToken = async () => {
  if (token.expiresAt && Date.now() >= token.expiresAt) token = await client.refreshToken(token)
  return token.accessToken
}
