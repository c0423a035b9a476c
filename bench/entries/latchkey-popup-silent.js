// The same job as latchkey-same-job.js, logging in in a popup and coming back after a reload
// with a silent prompt=none login: `loginWithPopup` + `restoreSession`. Its size minus the
// core's is what `latchkey/popup` and `latchkey/silent` cost an app.
import { createClient } from '../../src/index.ts'
import { loginWithPopup } from '../../src/popup/index.ts'
import { restoreSession } from '../../src/silent/index.ts'

const auth = createClient({
  domain: 'tenant.auth0.com',
  clientId: 'abc123',
  redirectUri: `${location.origin}/callback`,
  audience: 'https://api.example.com',
  scope: 'openid profile email offline_access',
})

export const start = () =>
  auth.isCallback() ? auth.handleRedirectCallback() : restoreSession(auth)
export const login = () => loginWithPopup(auth, { appState: { returnTo: location.pathname } })
export const getAccessToken = () => auth.getAccessToken()
