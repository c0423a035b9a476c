// The test application: the same few lines for the <script> page and the ES module page.
// It does what an app following the README does, and exposes its state to the test driver.
window.runApp = async (Latchkey) => {
  const config = window.E2E_CONFIG
  const auth = Latchkey.createClient({
    issuer: config.issuer,
    clientId: config.clientId,
    audience: config.audience,
    redirectUri: location.origin + location.pathname,
    scope: 'openid profile email offline_access',
    ...config.options,
  })
  const e2e = { events: [], ready: false }
  window.auth = auth
  window.e2e = e2e
  auth.subscribe((_tokens, reason) => e2e.events.push(reason))
  if (auth.isCallback()) {
    try {
      const { appState } = await auth.handleRedirectCallback()
      e2e.appState = appState
    } catch (error) {
      e2e.error = {
        code: error.code,
        message: error.message,
        isAuthError: Latchkey.isAuthError(error),
      }
    }
  }
  e2e.ready = true
}
