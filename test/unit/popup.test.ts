// latchkey/popup in happy-dom: a fake popup window, the response delivered the two ways the
// callback page hands it over (postMessage to the opener, the response channel), and every way
// a popup login ends without one.
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { RESPONSE_CHANNEL } from '../../src/client/redirect-callback'
import { loginWithPopup } from '../../src/popup/index'
import { expectNoTokenLeaks, setPageUrl, startClient } from '../support/client'
import { APP_ORIGIN, auth0Server, CLIENT_ID, type FakeAuthServer } from '../support/fakes'

/** A window as `window.open` returns it: closable, navigable, observably closed. */
const fakePopup = () => {
  const popup = {
    closed: false,
    location: { href: '' },
    close: vi.fn(() => {
      popup.closed = true
    }),
  }
  return popup
}
type FakePopup = ReturnType<typeof fakePopup>

/** Lets the real event loop turn (WebCrypto answers there) while timers may be fake. */
const turn = () => new Promise((resolve) => setImmediate(resolve))

/** Waits until the popup has been sent to /authorize; returns that URL. */
const authorizeUrlOf = async (popup: FakePopup): Promise<string> => {
  const deadline = performance.now() + 2_000
  while (!popup.location.href && performance.now() < deadline) await turn()
  expect(popup.location.href).toMatch(/^https:\/\/tenant\.auth0\.com\/authorize\?/)
  return popup.location.href
}

const postFrom = (source: unknown, data: unknown, origin = APP_ORIGIN) =>
  window.dispatchEvent(new MessageEvent('message', { data, origin, source: source as Window }))

const broadcast = (data: unknown) => {
  const channel = new BroadcastChannel(RESPONSE_CHANNEL)
  channel.postMessage(data)
  channel.close()
}

/** Resolves to the promise's outcome without letting it reject unhandled. */
const settled = <T>(promise: Promise<T>) =>
  promise.then(
    (value) => ({ value }),
    (error: { code?: string }) => ({ error }),
  )

let server: FakeAuthServer
beforeEach(() => {
  setPageUrl(`${APP_ORIGIN}/inbox`)
  sessionStorage.clear()
  server = auth0Server()
})
afterEach(() => {
  expectNoTokenLeaks()
  vi.useRealTimers()
  vi.unstubAllGlobals()
})

describe('loginWithPopup', () => {
  test('opens the named popup in the call, sends it to /authorize with a window state, and takes its postMessage', async () => {
    const popup = fakePopup()
    const open = vi.fn(() => popup)
    vi.stubGlobal('open', open)
    const { auth, storage } = startClient(server)
    const login = loginWithPopup(auth, { appState: { from: 'header' } })
    // Synchronously, before the first await: still the user's click.
    expect(open).toHaveBeenCalledWith('', 'latchkey-login', expect.stringMatching(/^popup,/))
    const url = await authorizeUrlOf(popup)
    expect(new URL(url).searchParams.get('state')).toMatch(/^w\./)
    postFrom(popup, server.authorize(url))
    const { appState, tokens } = await login
    expect(appState).toEqual({ from: 'header' })
    expect(tokens.accessToken).toBe(server.lastTokenResponse?.access_token)
    expect(auth.getTokens()).toEqual(tokens)
    expect(popup.close).toHaveBeenCalled()
    expect(location.href).toBe(`${APP_ORIGIN}/inbox`)
    expect(storage.getItem(`latchkey.tx1.${CLIENT_ID}`)).toBeNull()
    expect(server.tokenRequests).toHaveLength(1)
  })

  test('ignores a wrong origin, another window, another login on the channel and non-callbacks; takes its own from the channel', async () => {
    const popup = fakePopup()
    const { auth } = startClient(server)
    const login = loginWithPopup(auth, { popup: popup as unknown as Window })
    const url = await authorizeUrlOf(popup)
    const response = server.authorize(url)
    const otherLogin = new URL(response)
    otherLogin.searchParams.set('state', 'w.another-window-login')
    postFrom(popup, response, 'https://evil.example')
    postFrom(popup, response, `${APP_ORIGIN}.evil.example`)
    postFrom(fakePopup(), response)
    postFrom(popup, 'not a url')
    postFrom(popup, { href: response })
    broadcast(otherLogin.href)
    broadcast(`${APP_ORIGIN}/callback?state=${new URL(url).searchParams.get('state')}`)
    for (let i = 0; i < 5; i++) await turn()
    expect(server.tokenRequests).toHaveLength(0)
    expect(popup.close).not.toHaveBeenCalled()
    broadcast(response)
    expect((await login).tokens.accessToken).toBe(server.lastTokenResponse?.access_token)
    expect(server.tokenRequests).toHaveLength(1)
    expect(popup.close).toHaveBeenCalled()
  })

  test('a tampered state from its own popup: state_mismatch, the popup closed, no token request, nothing kept', async () => {
    const popup = fakePopup()
    const { auth, storage } = startClient(server)
    const login = settled(loginWithPopup(auth, { popup: popup as unknown as Window }))
    const tampered = new URL(server.authorize(await authorizeUrlOf(popup)))
    tampered.searchParams.set('state', `${tampered.searchParams.get('state')}x`)
    postFrom(popup, tampered.href)
    expect(await login).toMatchObject({ error: { code: 'state_mismatch' } })
    expect(popup.close).toHaveBeenCalled()
    expect(server.tokenRequests).toHaveLength(0)
    expect(auth.getTokens()).toBeUndefined()
    // Its transaction is spent too: the real response, arriving late, has nothing to exchange.
    expect(storage.getItem(`latchkey.tx1.${CLIENT_ID}`)).toBeNull()
  })

  test('popup_blocked when window.open returns null', async () => {
    vi.stubGlobal(
      'open',
      vi.fn(() => null),
    )
    const { auth } = startClient(server)
    await expect(loginWithPopup(auth)).rejects.toMatchObject({ code: 'popup_blocked' })
  })

  test('popup_closed when the user closes it: noticed by polling after the grace period', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] })
    const popup = fakePopup()
    const { auth, storage } = startClient(server)
    const login = settled(loginWithPopup(auth, { popup: popup as unknown as Window }))
    await authorizeUrlOf(popup)
    popup.closed = true
    await vi.advanceTimersByTimeAsync(2_500)
    expect(await Promise.race([login, turn().then(() => 'pending')])).toBe('pending')
    await vi.advanceTimersByTimeAsync(1_000)
    expect(await login).toMatchObject({ error: { code: 'popup_closed' } })
    expect(storage.getItem(`latchkey.tx1.${CLIENT_ID}`)).toBeNull()
  })

  test('a popup that looks closed (COOP) while the user is in it is waited for; its answer on the channel completes the login', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] })
    const hasFocus = vi.spyOn(document, 'hasFocus').mockReturnValue(false)
    const popup = fakePopup()
    const { auth } = startClient(server)
    const login = settled(loginWithPopup(auth, { popup: popup as unknown as Window }))
    const url = await authorizeUrlOf(popup)
    popup.closed = true
    await vi.advanceTimersByTimeAsync(60_000)
    expect(await Promise.race([login, turn().then(() => 'pending')])).toBe('pending')
    broadcast(server.authorize(url))
    expect(await login).toMatchObject({ value: { tokens: expect.any(Object) } })
    // The user closes it and is back on the app: now the grace period runs out.
    const next = fakePopup()
    const second = settled(loginWithPopup(auth, { popup: next as unknown as Window }))
    await authorizeUrlOf(next)
    next.closed = true
    await vi.advanceTimersByTimeAsync(60_000)
    expect(await Promise.race([second, turn().then(() => 'pending')])).toBe('pending')
    hasFocus.mockReturnValue(true)
    await vi.advanceTimersByTimeAsync(3_500)
    expect(await second).toMatchObject({ error: { code: 'popup_closed' } })
  })

  test('popup_closed when the signal aborts, also one aborted before the call; the popup is closed', async () => {
    const popup = fakePopup()
    const { auth } = startClient(server)
    const controller = new AbortController()
    const login = settled(
      loginWithPopup(auth, { popup: popup as unknown as Window, signal: controller.signal }),
    )
    await authorizeUrlOf(popup)
    controller.abort()
    expect(await login).toMatchObject({ error: { code: 'popup_closed' } })
    expect(popup.close).toHaveBeenCalled()
    const early = fakePopup()
    await expect(
      loginWithPopup(auth, { popup: early as unknown as Window, signal: AbortSignal.abort() }),
    ).rejects.toMatchObject({ code: 'popup_closed' })
    expect(early.close).toHaveBeenCalled()
    expect(early.location.href).toBe('')
  })

  test('timeout after timeoutSeconds; the popup is closed and a late answer exchanges nothing', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] })
    const popup = fakePopup()
    const { auth } = startClient(server)
    const login = settled(
      loginWithPopup(auth, { popup: popup as unknown as Window, timeoutSeconds: 5 }),
    )
    const url = await authorizeUrlOf(popup)
    await vi.advanceTimersByTimeAsync(4_900)
    expect(await Promise.race([login, turn().then(() => 'pending')])).toBe('pending')
    await vi.advanceTimersByTimeAsync(200)
    expect(await login).toMatchObject({ error: { code: 'timeout' } })
    expect(popup.close).toHaveBeenCalled()
    postFrom(popup, server.authorize(url))
    broadcast(server.authorize(url))
    for (let i = 0; i < 5; i++) await turn()
    expect(server.tokenRequests).toHaveLength(0)
  })

  test('the server refusing in the popup is authorization_error with its error', async () => {
    const popup = fakePopup()
    const { auth } = startClient(server)
    const login = loginWithPopup(auth, { popup: popup as unknown as Window })
    postFrom(popup, server.deny(await authorizeUrlOf(popup), 'access_denied'))
    await expect(login).rejects.toMatchObject({
      code: 'authorization_error',
      error: 'access_denied',
    })
    expect(popup.close).toHaveBeenCalled()
  })

  test('not a client: invalid_config, and no window opened', async () => {
    const open = vi.fn(() => fakePopup())
    vi.stubGlobal('open', open)
    await expect(loginWithPopup({} as never)).rejects.toMatchObject({ code: 'invalid_config' })
    expect(open).not.toHaveBeenCalled()
  })
})
