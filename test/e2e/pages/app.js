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
    // Options that are not JSON (an add-on such as `tabs: syncTabs()`), set by the page.
    ...window.E2E_EXTRA_OPTIONS,
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
        error: error.error,
        errorDescription: error.errorDescription,
        errorUri: error.errorUri,
        status: error.status,
        retryAfter: error.retryAfter,
        json: JSON.stringify(error),
      }
      // What an app does with a failed login: log it, and show the server's words as text only.
      console.error('login failed:', error)
      const message = document.createElement('p')
      message.id = 'login-error'
      message.textContent = error.errorDescription ?? error.message
      document.body.append(message)
    }
  }
  // A page that imports latchkey/silent restores the session on every start that is not a callback.
  else if (window.E2E_RESTORE) {
    e2e.restored = await window.E2E_RESTORE(auth)
  }
  e2e.ready = true
}
