// The job every peer entry does: configure; log in with PKCE + state; handle the callback and
// exchange the code; get an access token, refreshing it when expired. Imported from src/ so the
// bundler tree-shakes what createClient does not reach.
import { createClient } from '../../src/index.ts'

const auth = createClient({
  domain: 'tenant.auth0.com',
  clientId: 'abc123',
  redirectUri: `${location.origin}/callback`,
  audience: 'https://api.example.com',
  scope: 'openid profile email offline_access',
})

export const login = () => auth.login({ appState: { returnTo: location.pathname } })
export const handleCallback = () => auth.handleRedirectCallback()
export const getAccessToken = () => auth.getAccessToken()
