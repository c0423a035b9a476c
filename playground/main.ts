/**
 * The playground page: a latchkey client whose `fetch`, `navigate` and `storage` are observed,
 * five buttons, and the flow inspector showing every step with its real values.
 */
import {
  type ChangeReason,
  type Client,
  createClient,
  isAuthError,
  safeReturnTo,
  type TokenSet,
} from '../src/index'
import { loginWithPopup } from '../src/popup/index'
import { authenticateSilently, restoreSession } from '../src/silent/index'
import { syncTabs } from '../src/tabs/index'
import { startCountdowns } from './dom'
import { observeFetch, observeNavigate, observeStorage } from './observers'
import { renderSession } from './session'
import {
  fillForm,
  loadSettings,
  localSettings,
  readForm,
  readLocalServer,
  resetSettings,
  saveSettings,
  toClientOptions,
} from './settings'
import { createTimeline, type Field, type Step, textFields } from './timeline'

const byId = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T

const timeline = createTimeline(byId('timeline'), sessionStorage)
const local = readLocalServer()
const defaults = localSettings(local)
const settings = loadSettings(defaults)
const form = byId<HTMLFormElement>('settings')
const session = byId('session')
const status = byId('status')

/** Records a failure: an AuthError with its stable code and the server's own words. */
const report = (error: unknown): void => {
  timeline.add({
    kind: 'error',
    tone: 'error',
    title: isAuthError(error) ? `AuthError: ${error.code}` : 'Error',
    fields: isAuthError(error)
      ? textFields([
          ['code', error.code],
          ['message', error.message],
          ['error', error.error],
          ['error_description', error.errorDescription],
          ['error_uri', error.errorUri],
          ['status', error.status?.toString()],
        ])
      : textFields([['message', String(error)]]),
  })
}

/** A token change as `auth.subscribe` reports it. Names no token, so it may outlive a redirect. */
const tokenChange = (
  tokens: TokenSet | undefined,
  reason: ChangeReason,
  before: TokenSet | undefined,
): Step => {
  const title = `Tokens changed: ${reason}`
  if (!tokens) {
    return {
      kind: 'tokens',
      title,
      // Gone by logout is what was asked for; gone by expiry or a refused refresh is a failure.
      ...(reason !== 'logout' && { tone: 'error' }),
      note: 'auth.subscribe reported that the tokens are gone from memory.',
    }
  }
  const rotated = reason === 'refresh' && tokens.refreshToken !== before?.refreshToken
  return {
    kind: 'tokens',
    title,
    tone: 'ok',
    note: 'auth.subscribe reported new tokens. They live in memory only: a reload forgets them.',
    fields: [
      ...(tokens.expiresAt
        ? [{ name: 'access token', value: String(tokens.expiresAt), kind: 'expiry' } as const]
        : []),
      ...textFields([
        ['scope', tokens.scope],
        ['ID token', tokens.idToken ? 'yes' : 'none'],
      ]),
      rotated
        ? { name: 'refresh token', value: 'rotated: a new one replaced the old', kind: 'pass' }
        : { name: 'refresh token', value: tokens.refreshToken ? 'yes' : 'none' },
    ],
  }
}

/** What came back to the redirect URI, checked against the state this tab sent. */
const callbackStep = (): Step => {
  const params = new URL(location.href).searchParams
  const sent = timeline.find('state')
  const check: Field = !sent
    ? {
        name: 'state check',
        value:
          'no login was started in this tab: expect missing_transaction (another tab? storage cleared? a response used twice?)',
        kind: 'fail',
      }
    : sent.value === params.get('state')
      ? { name: 'state check', value: `the state sent in step ${sent.step}`, kind: 'pass' }
      : {
          name: 'state check',
          value: `not the state sent in step ${sent.step}: expect state_mismatch`,
          kind: 'fail',
        }
  return {
    kind: 'callback',
    title: 'Back at the redirect URI',
    note: 'latchkey reads these once, checks state and iss, spends the transaction and strips them from the address bar.',
    fields: [
      { name: 'URL', value: `${location.origin}${location.pathname}` },
      ...[...params].map(([name, value]) => ({ name, value, secret: name === 'code' })),
      check,
    ],
  }
}

fillForm(form, settings)
byId('settings-summary').textContent = `${settings.server} · ${settings.clientId}`
const redirectOrigin = URL.canParse(settings.redirectUri) && new URL(settings.redirectUri).origin
if (redirectOrigin && redirectOrigin !== location.origin) {
  const warning = byId('settings-warning')
  warning.hidden = false
  warning.textContent = `The redirect URI is on ${redirectOrigin}, not on this page's origin: the login will come back to a tab whose sessionStorage has no transaction (missing_transaction). Open ${redirectOrigin} instead.`
  byId<HTMLDetailsElement>('settings-panel').open = true
}
byId('hint').textContent =
  settings.server === local.issuer
    ? `Demo users: ${local.users.map((user) => `${user.username} / ${user.password}`).join(', ')}.`
    : `Sign in with an account at ${settings.server}.`
form.addEventListener('submit', (event) => {
  event.preventDefault()
  saveSettings(readForm(form), defaults)
  location.reload()
})
byId('reset-settings').addEventListener('click', () => {
  resetSettings()
  location.reload()
})
byId('clear-timeline').addEventListener('click', () => timeline.clear())
renderSession(session, status, undefined, undefined)
startCountdowns()

/** The client for the settings, observed through its options; undefined when they are refused. */
const connect = (): Client | undefined => {
  try {
    return createClient({
      ...toClientOptions(settings),
      fetch: observeFetch(timeline),
      navigate: observeNavigate(timeline),
      storage: observeStorage(timeline, sessionStorage, settings.clientId),
      tabs: syncTabs(),
    })
  } catch (error) {
    timeline.begin('Settings')
    report(error)
    byId<HTMLDetailsElement>('settings-panel').open = true
    return undefined
  }
}

/** A response for a popup or an iframe (`w.` state): this page only hands it over. */
const isWindowResponse = () =>
  new URLSearchParams(location.search).get('state')?.startsWith('w.') ?? false

/**
 * `restoreSession` at a start that is not a callback, with the source shown: the steps are
 * called here one by one (memory; the add-ons have none in the playground; the silent iframe),
 * so the timeline can say which one answered.
 */
const restoreAtStart = async (client: Client) => {
  // Buttons wait for it: a login started now would leave the silent login's transaction behind.
  const buttons = [...document.querySelectorAll<HTMLButtonElement>('#actions button')]
  for (const button of buttons) button.disabled = true
  try {
    await restoreSteps(client)
  } finally {
    for (const button of buttons) button.disabled = false
  }
}

const restoreSteps = async (client: Client) => {
  // Memory, then the open tabs (syncTabs): at page start memory is empty, so a session found
  // here came from another tab, over a BroadcastChannel, with no request to the server.
  if (await restoreSession(client, { silent: false })) {
    timeline.begin('Restore session')
    timeline.add({
      kind: 'restored',
      tone: 'ok',
      title:
        settings.dpop === 'persist'
          ? 'Session restored from another tab or from IndexedDB'
          : 'Session restored from another tab',
      note:
        settings.dpop === 'persist'
          ? 'restoreSession asked the open tabs over a BroadcastChannel, then refreshed the DPoP-bound refresh token kept beside its key: no redirect, no iframe.'
          : 'restoreSession asked the open tabs over a BroadcastChannel: no redirect, no request to the server.',
    })
    return
  }
  timeline.begin('Restore session')
  try {
    await authenticateSilently(client, { timeoutSeconds: 5 })
    timeline.add({
      kind: 'restored',
      tone: 'ok',
      title: 'Session restored silently',
      note: 'prompt=none in a hidden iframe: the server still had a session for this browser.',
    })
  } catch (error) {
    if (isAuthError(error) && error.code === 'authorization_error') {
      timeline.add({
        kind: 'restored',
        tone: 'ok',
        title: `No session to restore (${error.error})`,
        note: 'restoreSession answers false here: sign in.',
      })
    } else report(error)
  }
}

const restored = timeline.restore()
const auth = connect()
if (auth) {
  // For the devtools console: try auth.getTokens() or auth.getUser().
  Object.assign(window, { auth })
  let previousTokens: TokenSet | undefined
  auth.subscribe((tokens, reason) => {
    renderSession(session, status, tokens, auth.getUser())
    timeline.add(tokenChange(tokens, reason, previousTokens))
    previousTokens = tokens
  })

  const buttons = [...document.querySelectorAll<HTMLButtonElement>('#actions button')]
  /** Runs a button's action as a new run of the timeline, one at a time. */
  const onClick = (id: string, title: string, action: () => Promise<unknown>) => {
    byId(id).addEventListener('click', async () => {
      for (const button of buttons) button.disabled = true
      timeline.begin(title)
      try {
        await action()
      } catch (error) {
        report(error)
      } finally {
        for (const button of buttons) button.disabled = false
      }
    })
  }
  onClick('sign-in', 'Sign in', () => auth.login({ appState: { returnTo: location.pathname } }))
  // No await before loginWithPopup in this handler: it opens the window in the click itself.
  onClick('sign-in-popup', 'Sign in with popup', () => loginWithPopup(auth))
  onClick('call-api', 'Call API', () => auth.fetch(settings.apiUrl))
  onClick('get-token', 'Get token', async () => {
    const accessToken = await auth.getAccessToken()
    timeline.add({
      kind: 'access-token',
      title: 'getAccessToken() answered',
      tone: 'ok',
      note: 'From memory while it is valid (minus leewaySeconds); otherwise refreshed first, once for all callers.',
      fields: [{ name: 'access token', value: accessToken, kind: 'jwt', secret: true }],
    })
  })
  onClick('refresh', 'Refresh now', () => auth.getAccessToken({ forceRefresh: true }))
  onClick('sign-out', 'Sign out', () => auth.logout({ returnTo: `${location.origin}/` }))

  if (auth.isCallback() && isWindowResponse()) {
    // In the popup or the hidden iframe: hand the response to the page that started the login.
    await auth.handleRedirectCallback()
  } else if (auth.isCallback()) {
    if (!restored) timeline.begin('Callback')
    timeline.add(callbackStep())
    try {
      const { appState } = await auth.handleRedirectCallback()
      const requested = (appState as { returnTo?: unknown } | undefined)?.returnTo
      const returnTo = safeReturnTo(requested)
      history.replaceState(null, '', returnTo)
      timeline.add({
        kind: 'return',
        title: 'Back where the login started',
        tone: 'ok',
        note: 'appState came back from the transaction. safeReturnTo keeps the path on this origin.',
        fields: textFields([
          ['appState.returnTo', JSON.stringify(requested)],
          ['safeReturnTo(…)', returnTo],
        ]),
      })
    } catch (error) {
      report(error)
    }
  } else if (!restored) {
    await restoreAtStart(auth)
  } else {
    timeline.add(
      timeline.find('code_challenge')
        ? {
            kind: 'no-callback',
            tone: 'error',
            title: 'Back without an authorization response',
            note: 'The login page was left (Back button?) or the server sent the browser elsewhere. Sign in again.',
          }
        : {
            kind: 'signed-out',
            tone: 'ok',
            title: 'Back from the server, signed out there too',
            note: 'The next Sign in shows the login form again.',
          },
    )
  }
}

/**
 * The local server's token-request counters (GET /latchkey/stats), shown beside the tabs so a
 * person sees that several tabs made one refresh. Pointed at another server, the line stays hidden.
 */
const showServerCounts = async () => {
  const counts = byId('server-counts')
  try {
    const base = settings.server.startsWith('http') ? settings.server : `https://${settings.server}`
    const response = await fetch(new URL('/latchkey/stats', base), { cache: 'no-store' })
    const stats = (await response.json()) as {
      tokenRequests: number
      token: { authorization_code: number; refresh_token: number }
      grantRevocations: number
    }
    counts.textContent = `The server saw ${stats.tokenRequests} token requests: ${stats.token.authorization_code} code exchanges, ${stats.token.refresh_token} refreshes; ${stats.grantRevocations} grants revoked.`
    counts.hidden = false
  } catch {
    counts.hidden = true
  }
}
byId('open-tab').addEventListener('click', () => window.open(location.origin + location.pathname))
auth?.subscribe(() => void showServerCounts())
void showServerCounts()
