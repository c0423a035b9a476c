import { dpop } from '../src/dpop/index'
import type { ClientOptions } from '../src/index'

/**
 * The local authorization server, as start.mjs describes it in index.html: the defaults of the
 * settings panel.
 */
export interface LocalServer {
  issuer: string
  clientId: string
  audience: string
  redirectUri: string
  apiUrl: string
  users: { username: string; password: string }[]
}

/** What the settings panel edits. Strings as typed; an empty one means "leave it out". */
export interface Settings {
  /** An issuer URL (discovery) or a bare Auth0 domain. */
  server: string
  clientId: string
  audience: string
  scope: string
  redirectUri: string
  /** What Call API fetches; its origin is the only one `auth.fetch` sends the token to. */
  apiUrl: string
  /** `latchkey/dpop`: '' (off, Bearer), 'on', or 'persist' (`dpop({ persist: true })`). */
  dpop: string
}

const SETTINGS_KEY = 'latchkey-playground.settings'
const NAMES = ['server', 'clientId', 'audience', 'scope', 'redirectUri', 'apiUrl', 'dpop'] as const

/** Reads the description start.mjs put in the page. */
export const readLocalServer = (): LocalServer => {
  const local = JSON.parse(document.getElementById('local-server')?.textContent || 'null')
  if (!local) throw new Error('No local server description: start the playground with npm start')
  return local as LocalServer
}

/** Settings that point at the local server. `offline_access` asks for a refresh token. */
export const localSettings = (local: LocalServer): Settings => ({
  server: local.issuer,
  clientId: local.clientId,
  audience: local.audience,
  scope: 'openid profile email offline_access',
  redirectUri: local.redirectUri,
  apiUrl: local.apiUrl,
  dpop: '',
})

/** The saved settings over the defaults; anything unreadable is ignored. */
export const loadSettings = (defaults: Settings): Settings => {
  let saved: Partial<Record<string, unknown>> = {}
  try {
    saved = JSON.parse(localStorage.getItem(SETTINGS_KEY) ?? '{}') ?? {}
  } catch {}
  const settings = { ...defaults }
  for (const name of NAMES) {
    const value = saved[name]
    if (typeof value === 'string') settings[name] = value
  }
  return settings
}

/**
 * Saves settings in localStorage: only these seven strings, never a token. Settings equal to the
 * defaults are not saved, so a restart on other ports does not find stale ones.
 */
export const saveSettings = (settings: Settings, defaults: Settings): void => {
  if (NAMES.every((name) => settings[name] === defaults[name]))
    localStorage.removeItem(SETTINGS_KEY)
  else localStorage.setItem(SETTINGS_KEY, JSON.stringify(settings))
}

/** Forgets the saved settings. */
export const resetSettings = (): void => localStorage.removeItem(SETTINGS_KEY)

/** Fills the form's inputs, which are named after the settings. */
export const fillForm = (form: HTMLFormElement, settings: Settings): void => {
  for (const name of NAMES) {
    const input = form.elements.namedItem(name)
    if (input instanceof HTMLInputElement || input instanceof HTMLSelectElement) {
      input.value = settings[name]
    }
  }
}

/** The settings in the form, trimmed. */
export const readForm = (form: HTMLFormElement): Settings => {
  const data = new FormData(form)
  const value = (name: (typeof NAMES)[number]) => String(data.get(name) ?? '').trim()
  return {
    server: value('server'),
    clientId: value('clientId'),
    audience: value('audience'),
    scope: value('scope'),
    redirectUri: value('redirectUri'),
    apiUrl: value('apiUrl'),
    dpop: value('dpop'),
  }
}

/**
 * The client options for these settings. A server with a scheme is an `issuer`; a bare host is
 * an Auth0 `domain`.
 */
export const toClientOptions = (settings: Settings): ClientOptions => ({
  clientId: settings.clientId,
  redirectUri: settings.redirectUri,
  ...(/^[a-z][\w+.-]*:\/\//i.test(settings.server)
    ? { issuer: settings.server }
    : { domain: settings.server }),
  ...(settings.audience && { audience: settings.audience }),
  ...(settings.scope && { scope: settings.scope }),
  // The demo API runs on the authorization server's origin, which is not the page's.
  apiOrigins: settings.apiUrl ? [new URL(settings.apiUrl).origin] : [],
  ...(settings.dpop && { dpop: dpop({ persist: settings.dpop === 'persist' }) }),
})
