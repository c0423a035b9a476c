// @auth0/auth0-spa-js: its documented SPA setup, with refresh tokens instead of the iframe.
import { Auth0Client } from '@auth0/auth0-spa-js'

const auth0 = new Auth0Client({
  domain: 'tenant.auth0.com',
  clientId: 'abc123',
  authorizationParams: {
    redirect_uri: `${location.origin}/callback`,
    audience: 'https://api.example.com',
    scope: 'openid profile email offline_access',
  },
  // Refresh with grant_type=refresh_token (not a hidden iframe), as the other entries do.
  useRefreshTokens: true,
})

export const login = () => auth0.loginWithRedirect({ appState: { returnTo: location.pathname } })
export const handleCallback = async () => {
  const result = await auth0.handleRedirectCallback()
  // Its quickstart's next step: the SDK leaves the code and state in the address bar.
  history.replaceState(null, '', location.pathname)
  return result
}
export const getAccessToken = () => auth0.getTokenSilently()
