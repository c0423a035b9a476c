/**
 * latchkey/react in happy-dom, driven by a real createClient against the fake authorization
 * server (test/support/fakes.ts): what a component sees, and what reaches the server, from the
 * first render to logout, under StrictMode too.
 */
import { act, cleanup, render, screen, waitFor } from '@testing-library/react'
import { StrictMode } from 'react'
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { AuthError, type Client } from '../../../src/index'
import {
  AuthProvider,
  type AuthProviderProps,
  RequireAuth,
  type UseAuthResult,
  useAuth,
} from '../../../src/react/index'
import { expectNoTokenLeaks, setPageUrl, startClient, watchConsole } from '../../support/client'
import { APP_ORIGIN, auth0Server, deferred } from '../../support/fakes'

/** Every value useAuth returned, in render order. */
let seen: UseAuthResult[]

const label = (auth: UseAuthResult): string => {
  if (auth.isLoading) return 'loading'
  if (auth.error) return `error ${auth.error.code}`
  return auth.isAuthenticated ? `signed in as ${auth.user?.sub}` : 'signed out'
}

function Probe() {
  const auth = useAuth()
  seen.push(auth)
  return <p>{label(auth)}</p>
}

/** The states a component went through, each once in a row. */
const states = () => seen.map(label).filter((state, i, all) => state !== all[i - 1])

const renderApp = (props: AuthProviderProps, strict = false) => {
  const tree = <AuthProvider {...props}>{props.children ?? <Probe />}</AuthProvider>
  return render(strict ? <StrictMode>{tree}</StrictMode> : tree)
}

/** A client whose page is the redirect URI carrying a fresh code (or an error) for it. */
const atCallback = async (appState?: unknown, deny?: string) => {
  const server = auth0Server()
  const client = startClient(server)
  const authorizeUrl = await client.auth.createAuthorizeUrl({ appState })
  setPageUrl(deny ? server.deny(authorizeUrl, deny) : server.authorize(authorizeUrl))
  return client
}

beforeEach(() => {
  seen = []
  setPageUrl(`${APP_ORIGIN}/`)
  watchConsole()
})
afterEach(() => {
  cleanup()
  expectNoTokenLeaks()
})

describe('AuthProvider and useAuth', () => {
  test('loading → signed out → signed in → signed out, following the client', async () => {
    const { auth, signIn, navigate } = startClient(auth0Server())
    renderApp({ client: auth })
    expect(label(seen[0] as UseAuthResult)).toBe('loading')
    await screen.findByText('signed out')

    await act(() => signIn())
    await screen.findByText('signed in as user-1')
    expect(seen.at(-1)?.user).toMatchObject({ sub: 'user-1' })

    await act(() => (seen.at(-1) as UseAuthResult).logout({ returnTo: APP_ORIGIN }))
    await screen.findByText('signed out')
    expect(states()).toEqual(['loading', 'signed out', 'signed in as user-1', 'signed out'])
    expect(navigate).toHaveBeenCalledTimes(1)
    expect(navigate.mock.calls[0]?.[0]).toMatch(/^https:\/\/tenant\.auth0\.com\/v2\/logout\?/)
  })

  test('under StrictMode the callback is handled once: one token request, one redirect callback', async () => {
    const { auth, server } = await atCallback({ returnTo: '/inbox?tab=2' })
    const onRedirectCallback = vi.fn()
    // A second start-up would find the address bar already clean and restore the session too.
    const restoreSession = vi.fn(async () => false)
    const view = renderApp({ client: auth, onRedirectCallback, restoreSession }, true)
    await screen.findByText('signed in as user-1')
    // StrictMode's double mount, then the app mounting a second tree for the same client.
    view.unmount()
    renderApp({ client: auth, onRedirectCallback, restoreSession }, true)
    await screen.findByText('signed in as user-1')

    expect(server.tokenRequests).toHaveLength(1)
    expect(restoreSession).not.toHaveBeenCalled()
    expect(onRedirectCallback).toHaveBeenCalledTimes(1)
    expect(onRedirectCallback).toHaveBeenCalledWith({ returnTo: '/inbox?tab=2' })
    expect(seen.every((auth) => auth.error === undefined)).toBe(true)
  })

  test('by default the address bar goes to appState.returnTo, same origin only', async () => {
    const { auth } = await atCallback({ returnTo: '/inbox?tab=2#top' })
    renderApp({ client: auth }, true)
    await screen.findByText('signed in as user-1')
    expect(location.href).toBe(`${APP_ORIGIN}/inbox?tab=2#top`)
  })

  test.each([
    ['//evil.example/steal', `${APP_ORIGIN}/`],
    [undefined, `${APP_ORIGIN}/`],
  ])('a returnTo of %s lands on %s', async (returnTo, landing) => {
    const { auth } = await atCallback(returnTo === undefined ? undefined : { returnTo })
    renderApp({ client: auth })
    await screen.findByText('signed in as user-1')
    expect(location.href).toBe(landing)
  })

  test('the first render, and every render until the start-up settles, is loading', async () => {
    const restore = deferred<boolean>()
    const { auth } = startClient(auth0Server())
    renderApp({ client: auth, restoreSession: () => restore.promise })
    await act(() => Promise.resolve())
    expect(screen.getByText('loading')).toBeTruthy()
    await act(async () => restore.resolve(false))
    await screen.findByText('signed out')
    expect(states()).toEqual(['loading', 'signed out'])
  })

  test('restoreSession runs once, with the client, and its session shows', async () => {
    const { auth, signIn } = startClient(auth0Server())
    const restoreSession = vi.fn(async (client: Client) => {
      expect(client).toBe(auth)
      await signIn()
      return true
    })
    renderApp({ client: auth, restoreSession }, true)
    await screen.findByText('signed in as user-1')
    expect(restoreSession).toHaveBeenCalledTimes(1)
    expect(states()).toEqual(['loading', 'signed in as user-1'])
  })

  test('the callback wins over restoreSession', async () => {
    const { auth, server } = await atCallback()
    const restoreSession = vi.fn(async () => true)
    renderApp({ client: auth, restoreSession })
    await screen.findByText('signed in as user-1')
    expect(restoreSession).not.toHaveBeenCalled()
    expect(server.tokenRequests).toHaveLength(1)
  })

  test('renders stay bounded and the returned object keeps its identity while nothing changes', async () => {
    const { auth } = await atCallback({ returnTo: '/' })
    const view = renderApp({ client: auth }, true)
    await screen.findByText('signed in as user-1')
    const settled = seen.at(-1)
    view.rerender(
      <StrictMode>
        <AuthProvider client={auth}>
          <Probe />
        </AuthProvider>
      </StrictMode>,
    )
    expect(seen.at(-1)).toBe(settled)
    // StrictMode renders twice; three states (loading, tokens in, loading over) and a rerender.
    expect(seen.length).toBeLessThanOrEqual(10)
  })

  test('useAuth().loginWithPopup is there only when the provider has one, bound to its client', async () => {
    const { auth } = startClient(auth0Server())
    const loginWithPopup = vi.fn(async () => undefined)
    renderApp({ client: auth, loginWithPopup })
    await screen.findByText('signed out')
    await (seen.at(-1) as UseAuthResult).loginWithPopup?.({ appState: { returnTo: '/x' } })
    expect(loginWithPopup).toHaveBeenCalledWith(auth, { appState: { returnTo: '/x' } })
    cleanup()
    seen = []
    renderApp({ client: startClient(auth0Server()).auth })
    await screen.findByText('signed out')
    expect(seen.at(-1)).not.toHaveProperty('loginWithPopup')
  })

  test('useAuth().login navigates through the client with the given options', async () => {
    const { auth, navigate } = startClient(auth0Server())
    renderApp({ client: auth })
    await screen.findByText('signed out')
    await (seen.at(-1) as UseAuthResult).login({ appState: { returnTo: '/a' }, scope: 'openid' })
    expect(navigate).toHaveBeenCalledTimes(1)
    expect(new URL(navigate.mock.calls[0]?.[0] as string).searchParams.get('scope')).toBe('openid')
  })
})

describe('errors of the start-up land in error, never uncaught', () => {
  test('a refused login: authorization_error with the server error, no token request', async () => {
    const { auth, server } = await atCallback(undefined, 'access_denied')
    renderApp({ client: auth }, true)
    await screen.findByText('error authorization_error')
    const { error, isAuthenticated, isLoading } = seen.at(-1) as UseAuthResult
    expect(error).toBeInstanceOf(AuthError)
    expect(error).toMatchObject({ code: 'authorization_error', error: 'access_denied' })
    expect({ isAuthenticated, isLoading }).toEqual({ isAuthenticated: false, isLoading: false })
    expect(server.tokenRequests).toHaveLength(0)
  })

  test('a replayed callback (transaction spent): missing_transaction', async () => {
    const { auth, server } = startClient(auth0Server())
    setPageUrl(server.authorize(await auth.createAuthorizeUrl()))
    sessionStorage.clear()
    const fresh = startClient(server, { storage: sessionStorage })
    renderApp({ client: fresh.auth })
    await screen.findByText('error missing_transaction')
    expect(server.tokenRequests).toHaveLength(0)
  })

  test('restoreSession failing with an AuthError: that error', async () => {
    const { auth } = startClient(auth0Server())
    const failure = new AuthError('network_error', 'Server unreachable: check the network')
    renderApp({ client: auth, restoreSession: () => Promise.reject(failure) })
    await screen.findByText('error network_error')
    expect(seen.at(-1)?.error).toBe(failure)
  })

  test('onRedirectCallback throwing: invalid_config naming it, the thrown error as cause; tokens kept', async () => {
    const { auth } = await atCallback()
    const bug = new TypeError('router is undefined')
    renderApp({
      client: auth,
      onRedirectCallback: () => {
        throw bug
      },
    })
    await screen.findByText('error invalid_config')
    const { error, isAuthenticated } = seen.at(-1) as UseAuthResult
    expect(error?.message).toMatch(/onRedirectCallback/)
    expect(error?.cause).toBe(bug)
    expect(isAuthenticated).toBe(true)
  })

  test('the next login clears the error', async () => {
    const { auth, signIn } = await atCallback(undefined, 'access_denied')
    renderApp({ client: auth })
    await screen.findByText('error authorization_error')
    setPageUrl(`${APP_ORIGIN}/`)
    await act(() => signIn())
    await screen.findByText('signed in as user-1')
  })

  test('useAuth outside an AuthProvider: invalid_config', () => {
    vi.mocked(console.error).mockImplementation(() => {})
    let thrown: unknown
    try {
      render(<Probe />)
    } catch (error) {
      thrown = error
    }
    expect(thrown).toMatchObject({ code: 'invalid_config' })
  })
})

describe('RequireAuth', () => {
  test('a signed-out visitor: one login for two guards under StrictMode, back to the current path', async () => {
    setPageUrl(`${APP_ORIGIN}/inbox?tab=2#new`)
    const { auth, navigate, server } = startClient(auth0Server())
    renderApp(
      {
        client: auth,
        children: (
          <>
            <RequireAuth fallback={<p>signing in</p>}>
              <p>secret one</p>
            </RequireAuth>
            <RequireAuth>
              <p>secret two</p>
            </RequireAuth>
          </>
        ),
      },
      true,
    )
    await waitFor(() => expect(navigate).toHaveBeenCalled())
    await act(() => new Promise((resolve) => setTimeout(resolve, 20)))
    expect(navigate).toHaveBeenCalledTimes(1)
    expect(navigate.mock.calls[0]?.[0]).toMatch(/^https:\/\/tenant\.auth0\.com\/authorize\?/)
    expect(screen.getByText('signing in')).toBeTruthy()
    expect(screen.queryByText(/secret/)).toBeNull()
    // The login it started comes back to where the visitor was.
    const { appState } = await auth.handleRedirectCallback(
      server.authorize(navigate.mock.calls[0]?.[0] as string),
    )
    expect(appState).toEqual({ returnTo: '/inbox?tab=2#new' })
  })

  test('while loading it shows the fallback and starts nothing', async () => {
    const restore = deferred<boolean>()
    const { auth, navigate } = startClient(auth0Server())
    renderApp({
      client: auth,
      restoreSession: () => restore.promise,
      children: (
        <RequireAuth fallback={<p>wait</p>}>
          <p>secret</p>
        </RequireAuth>
      ),
    })
    await act(() => new Promise((resolve) => setTimeout(resolve, 20)))
    expect(screen.getByText('wait')).toBeTruthy()
    expect(navigate).not.toHaveBeenCalled()
    await act(async () => restore.resolve(false))
    await waitFor(() => expect(navigate).toHaveBeenCalledTimes(1))
  })

  test('a signed-in visitor sees the children and no login starts', async () => {
    const { auth, navigate, server } = await atCallback({ returnTo: '/inbox' })
    renderApp(
      {
        client: auth,
        children: (
          <RequireAuth fallback={<p>wait</p>}>
            <p>secret</p>
          </RequireAuth>
        ),
      },
      true,
    )
    await screen.findByText('secret')
    expect(navigate).not.toHaveBeenCalled()
    expect(server.tokenRequests).toHaveLength(1)
  })

  test('logout from a protected page: only the logout navigates, no login races it', async () => {
    const { auth, navigate } = await atCallback({ returnTo: '/inbox' })
    renderApp(
      {
        client: auth,
        children: (
          <>
            <Probe />
            <RequireAuth fallback={<p>wait</p>}>
              <p>secret</p>
            </RequireAuth>
          </>
        ),
      },
      true,
    )
    await screen.findByText('secret')
    await act(() => (seen.at(-1) as UseAuthResult).logout({ returnTo: APP_ORIGIN }))
    await act(() => new Promise((resolve) => setTimeout(resolve, 20)))
    expect(navigate).toHaveBeenCalledTimes(1)
    expect(navigate.mock.calls[0]?.[0]).toMatch(/\/v2\/logout\?/)
    expect(screen.getByText('wait')).toBeTruthy()
  })

  test('a session that ends otherwise (refresh token refused) starts a new login', async () => {
    const { auth, navigate, server } = await atCallback({ returnTo: '/inbox' })
    renderApp({
      client: auth,
      children: (
        <RequireAuth fallback={<p>wait</p>}>
          <p>secret</p>
        </RequireAuth>
      ),
    })
    await screen.findByText('secret')
    server.tokenRoute = () =>
      new Response(JSON.stringify({ error: 'invalid_grant' }), {
        status: 400,
        headers: { 'content-type': 'application/json' },
      })
    await act(() => auth.getAccessToken({ forceRefresh: true }).catch(() => undefined))
    await waitFor(() => expect(navigate).toHaveBeenCalledTimes(1))
    expect(navigate.mock.calls[0]?.[0]).toMatch(/\/authorize\?/)
  })

  test('after a failed start-up it starts no login (no redirect loop)', async () => {
    const { auth, navigate } = await atCallback(undefined, 'access_denied')
    renderApp({
      client: auth,
      children: (
        <>
          <Probe />
          <RequireAuth fallback={<p>wait</p>}>
            <p>secret</p>
          </RequireAuth>
        </>
      ),
    })
    await screen.findByText('error authorization_error')
    await act(() => new Promise((resolve) => setTimeout(resolve, 20)))
    expect(navigate).not.toHaveBeenCalled()
    expect(screen.getByText('wait')).toBeTruthy()
  })

  test('a login that cannot start lands in error: a navigate that throws is invalid_config', async () => {
    const { auth } = startClient(auth0Server(), {
      navigate: () => {
        throw new Error('no browser')
      },
    })
    renderApp({
      client: auth,
      children: (
        <>
          <Probe />
          <RequireAuth />
        </>
      ),
    })
    await screen.findByText('error invalid_config')
    expect(seen.at(-1)?.error?.message).toMatch(/navigate/)
  })
})
