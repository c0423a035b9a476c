// The same job as latchkey-same-job.js with DPoP-bound tokens kept across reloads:
// `dpop({ persist: true })` and `restoreSession`. Its size minus the core's is what
// `latchkey/dpop` costs an app.

import { dpop } from '../../src/dpop/index.ts'
import { createClient } from '../../src/index.ts'
import { restoreSession } from '../../src/silent/index.ts'

const auth = createClient({
  domain: 'tenant.auth0.com',
  clientId: 'abc123',
  redirectUri: `${location.origin}/callback`,
  audience: 'https://api.example.com',
  scope: 'openid profile email offline_access',
  dpop: dpop({ persist: true }),
})

export const start = () =>
  auth.isCallback() ? auth.handleRedirectCallback() : restoreSession(auth)
export const login = () => auth.login({ appState: { returnTo: location.pathname } })
export const getAccessToken = () => auth.getAccessToken()
