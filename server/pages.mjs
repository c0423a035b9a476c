/**
 * The HTML pages the local authorization server shows: sign-in, sign-out, errors.
 *
 * Self-contained (no web fonts, no external assets) so that the server works offline and a test
 * browser never waits on the network. Every interpolated value goes through `escapeHtml`.
 *
 * @module
 */

/**
 * @param {unknown} value
 * @returns {string}
 */
export function escapeHtml(value) {
  return String(value)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;')
}

const STYLE = `body{font:16px/1.4 system-ui,sans-serif;max-width:22rem;margin:3rem auto;padding:0 1rem}
label,input,button{display:block;width:100%;box-sizing:border-box}input{margin:.2rem 0 .8rem;padding:.5rem}
button{padding:.6rem;font-weight:600}.error{color:#b00020}.hint{color:#555;font-size:.9rem}`

/**
 * @param {string} title
 * @param {string} body Trusted HTML.
 * @returns {string}
 */
function layout(title, body) {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><h1>${escapeHtml(title)}</h1>
${body}
</body>
</html>`
}

/**
 * The sign-in form. Field names match oidc-provider's devInteractions form
 * (`input[name=login]`, `input[name=password]`), which tests and docs rely on.
 *
 * @param {object} page
 * @param {string} page.action Where the form posts.
 * @param {string} page.abortUrl Cancels the request: the app gets `error=access_denied`.
 * @param {string} page.clientName
 * @param {string} [page.loginHint] Prefills the login (OIDC Core §3.1.2.1 `login_hint`).
 * @param {string} [page.error] Shown above the form after a failed attempt.
 * @param {readonly {username: string, password: string}[]} page.users Listed as a hint.
 * @returns {string}
 */
export function loginPage({ action, abortUrl, clientName, loginHint, error, users }) {
  const hint = users.map((user) => `${escapeHtml(user.username)} / ${escapeHtml(user.password)}`)
  return layout(
    'Sign in',
    `<p>to continue to <strong>${escapeHtml(clientName)}</strong></p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="${escapeHtml(action)}" autocomplete="off">
<label>Username <input name="login" required autofocus value="${escapeHtml(loginHint ?? '')}"></label>
<label>Password <input name="password" type="password" required></label>
<button type="submit">Sign in</button>
</form>
<p class="hint">Demo users (development only): ${hint.join(', ')}</p>
<p><a href="${escapeHtml(abortUrl)}">Cancel</a></p>`,
  )
}

/**
 * oidc-provider's RP-initiated logout page, made to submit itself.
 *
 * oidc-provider asks the user to confirm (OpenID Connect RP-Initiated Logout §2 allows but does not
 * require it); Auth0's /v2/logout does not. The form carries oidc-provider's XSRF token, and the
 * `logout=yes` field ends the whole session, as Auth0 does. A button remains for pages without
 * JavaScript.
 *
 * @param {string} form oidc-provider's `<form id="op.logoutForm">` with its hidden XSRF input.
 * @returns {string}
 */
export function logoutPage(form) {
  return layout(
    'Signing out',
    `${form}
<input type="hidden" form="op.logoutForm" name="logout" value="yes">
<button type="submit" form="op.logoutForm">Sign out</button>
<script>document.getElementById('op.logoutForm').submit()</script>`,
  )
}

/** Shown after a logout request without a (registered) return URL. */
export function signedOutPage() {
  return layout('Signed out', '<p>You are signed out.</p>')
}

/**
 * An error the server cannot send back to the app (no valid redirect URI, a stale sign-in page).
 *
 * @param {Record<string, string | undefined>} out `error`, `error_description`, …
 * @returns {string}
 */
export function errorPage(out) {
  const rows = Object.entries(out)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `<p><strong>${escapeHtml(key)}</strong>: ${escapeHtml(value)}</p>`)
  return layout('Something went wrong', rows.join('\n'))
}
