import type { JwtClaims, TokenSet } from '../src/index'
import { countdown, h, jwtView } from './dom'

const row = (name: string, value: Node | string) =>
  h('div', {}, h('dt', {}, name), h('dd', {}, value))

const who = (user: JwtClaims | undefined): string =>
  String(user?.name ?? user?.nickname ?? user?.sub ?? 'someone')

/**
 * Shows the session as latchkey holds it in memory (`auth.getTokens()`, `auth.getUser()`), and
 * nothing at all once it is gone.
 */
export const renderSession = (
  container: HTMLElement,
  status: HTMLElement,
  tokens: TokenSet | undefined,
  user: JwtClaims | undefined,
): void => {
  status.dataset.signedIn = String(!!tokens)
  status.textContent = tokens ? `Signed in as ${who(user)}` : 'Signed out'
  if (!tokens) {
    container.replaceChildren(h('p', { class: 'empty' }, 'No tokens in memory.'))
    return
  }
  container.replaceChildren(
    h(
      'dl',
      {},
      row('user', `${who(user)}${typeof user?.email === 'string' ? ` <${user.email}>` : ''}`),
      row('access token', tokens.expiresAt ? countdown(tokens.expiresAt) : 'expiry unknown'),
      row('scope', tokens.scope ?? '(as requested)'),
      row('refresh token', tokens.refreshToken ? 'yes: rotates on every use' : 'none'),
    ),
    h('details', {}, h('summary', {}, 'Access token'), jwtView(tokens.accessToken)),
    ...(tokens.idToken
      ? [h('details', {}, h('summary', {}, 'ID token'), jwtView(tokens.idToken))]
      : []),
  )
}
