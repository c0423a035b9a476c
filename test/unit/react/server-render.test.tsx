// @vitest-environment node
/**
 * latchkey/react on a server: no `window` at all (Node, not happy-dom). Importing it touches
 * nothing of the page, and a server render shows loading, as the first browser render will.
 */
import { renderToString } from 'react-dom/server'
import { expect, test, vi } from 'vitest'
import { createClient } from '../../../src/index'
import { AuthProvider, RequireAuth, useAuth } from '../../../src/react/index'

function Status() {
  const { isLoading, isAuthenticated, error } = useAuth()
  return <p>{JSON.stringify({ isLoading, isAuthenticated, error: error?.code ?? null })}</p>
}

test('a server render shows isLoading, starts nothing and needs no window', () => {
  expect(typeof window).toBe('undefined')
  expect(typeof location).toBe('undefined')
  const fetch = vi.fn<typeof globalThis.fetch>()
  const navigate = vi.fn()
  const auth = createClient({
    domain: 'tenant.auth0.com',
    clientId: 'abc',
    redirectUri: 'https://app.example.com/callback',
    fetch,
    navigate,
  })
  const restoreSession = vi.fn(async () => true)
  const html = renderToString(
    <AuthProvider client={auth} restoreSession={restoreSession}>
      <Status />
      <RequireAuth fallback={<i>signing in</i>}>
        <b>secret</b>
      </RequireAuth>
    </AuthProvider>,
  )
  expect(html).toContain(
    JSON.stringify({ isLoading: true, isAuthenticated: false, error: null }).replaceAll(
      '"',
      '&quot;',
    ),
  )
  expect(html).toContain('<i>signing in</i>')
  expect(html).not.toContain('secret')
  expect(restoreSession).not.toHaveBeenCalled()
  expect(fetch).not.toHaveBeenCalled()
  expect(navigate).not.toHaveBeenCalled()
})
