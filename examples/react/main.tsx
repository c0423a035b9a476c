/**
 * A tiny React app on latchkey: a home page, a protected page behind `<RequireAuth>`, a call to
 * the local server's protected API through `useAuth().fetch`, and logout. StrictMode is on, so in
 * development React runs every effect twice: the callback is still handled once.
 */
import { createClient, safeReturnTo } from 'latchkey'
import { AuthProvider, RequireAuth, useAuth } from 'latchkey/react'
import { StrictMode, useState, useSyncExternalStore } from 'react'
import { createRoot } from 'react-dom/client'

const auth = createClient({
  issuer: import.meta.env.VITE_LATCHKEY_ISSUER ?? 'http://localhost:4000',
  clientId: 'latchkey-playground',
  redirectUri: `${location.origin}/callback`,
  audience: 'https://api.latchkey.test',
})

// A router in a few lines, so the example needs nothing but React: the path, and a way to go.
const pathListeners = new Set<() => void>()
const go = (path: string, replace = false) => {
  history[replace ? 'replaceState' : 'pushState'](null, '', path)
  for (const listener of pathListeners) listener()
}
const subscribeToPath = (onChange: () => void) => {
  pathListeners.add(onChange)
  addEventListener('popstate', onChange)
  return () => {
    pathListeners.delete(onChange)
    removeEventListener('popstate', onChange)
  }
}
const usePath = () => useSyncExternalStore(subscribeToPath, () => location.pathname)

function Link({ to, children }: { to: string; children: string }) {
  return (
    <a
      href={to}
      onClick={(event) => {
        event.preventDefault()
        go(to)
      }}
    >
      {children}
    </a>
  )
}

function Status() {
  const { isLoading, isAuthenticated, user, error, login } = useAuth()
  if (isLoading) return <output>Loading…</output>
  if (error) return <output>Sign-in failed: {error.code}</output>
  if (!isAuthenticated) {
    return (
      <>
        <output>Signed out</output>{' '}
        <button type="button" onClick={() => login({ appState: { returnTo: '/protected' } })}>
          Sign in
        </button>
      </>
    )
  }
  return <output>Signed in as {String(user?.sub)}</output>
}

function Messages() {
  const { fetch, logout } = useAuth()
  const [answer, setAnswer] = useState('')
  const callApi = async () => {
    const response = await fetch('/api/messages')
    setAnswer(`${response.status} ${JSON.stringify(await response.json())}`)
  }
  return (
    <section>
      <h2>Protected</h2>
      <button type="button" onClick={callApi}>
        Call the API
      </button>{' '}
      <button type="button" onClick={() => logout({ returnTo: location.origin })}>
        Sign out
      </button>
      <pre id="api-answer">{answer}</pre>
    </section>
  )
}

function App() {
  const path = usePath()
  return (
    <>
      <nav>
        <Link to="/">Home</Link> · <Link to="/protected">Protected</Link> · <Status />
      </nav>
      {path === '/protected' ? (
        <RequireAuth fallback={<p>Signing in…</p>}>
          <Messages />
        </RequireAuth>
      ) : (
        <h2>Home</h2>
      )}
    </>
  )
}

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <AuthProvider
      client={auth}
      onRedirectCallback={(appState) =>
        go(safeReturnTo((appState as { returnTo?: unknown } | undefined)?.returnTo), true)
      }
    >
      <App />
    </AuthProvider>
  </StrictMode>,
)
