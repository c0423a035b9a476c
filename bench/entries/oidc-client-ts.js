// oidc-client-ts: UserManager, its high-level API. It finds the endpoints by discovery.
import { UserManager } from 'oidc-client-ts'

const userManager = new UserManager({
  authority: 'https://tenant.auth0.com/',
  client_id: 'abc123',
  redirect_uri: `${location.origin}/callback`,
  scope: 'openid profile email offline_access',
  extraQueryParams: { audience: 'https://api.example.com' },
})

export const login = () => userManager.signinRedirect({ state: { returnTo: location.pathname } })
export const handleCallback = async () => {
  const user = await userManager.signinRedirectCallback()
  // As its React wrapper's documented onSigninCallback does: the code and state stay otherwise.
  history.replaceState(null, '', location.pathname)
  return user
}

// signinSilent uses the refresh token when the user has one (and the iframe only when not).
export const getAccessToken = async () => {
  let user = await userManager.getUser()
  if (!user || user.expired) user = await userManager.signinSilent()
  return user?.access_token
}
