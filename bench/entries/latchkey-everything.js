// What @auth0/auth0-spa-js offers an app, with latchkey's add-ons: the same job as
// latchkey-same-job.js plus one session per browser (tabs), popup and silent login, a session
// restored at page start, and DPoP-bound tokens kept across reloads.

import { dpop } from '../../src/dpop/index.ts'
import { createClient } from '../../src/index.ts'
import { loginWithPopup } from '../../src/popup/index.ts'
import { authenticateSilently, restoreSession } from '../../src/silent/index.ts'
import { syncTabs } from '../../src/tabs/index.ts'

const auth = createClient({
  domain: 'tenant.auth0.com',
  clientId: 'abc123',
  redirectUri: `${location.origin}/callback`,
  audience: 'https://api.example.com',
  scope: 'openid profile email offline_access',
  tabs: syncTabs(),
  dpop: dpop({ persist: true }),
})

export const start = () =>
  auth.isCallback() ? auth.handleRedirectCallback() : restoreSession(auth)
export const login = () => auth.login({ appState: { returnTo: location.pathname } })
export const popup = () => loginWithPopup(auth, { appState: { returnTo: location.pathname } })
export const silent = () => authenticateSilently(auth)
export const getAccessToken = () => auth.getAccessToken()
export const callApi = () => auth.fetch('https://api.example.com/messages')
export const logout = () => auth.logout({ returnTo: location.origin })
