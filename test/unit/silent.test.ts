// latchkey/silent in happy-dom: authenticateSilently's hidden iframe (its response delivered as
// the callback page hands it over) and restoreSession's last step.
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { RESPONSE_CHANNEL } from '../../src/client/redirect-callback'
import { authenticateSilently, restoreSession } from '../../src/silent/index'
import { expectNoTokenLeaks, setPageUrl, startClient } from '../support/client'
import { APP_ORIGIN, auth0Server, CLIENT_ID, type FakeAuthServer } from '../support/fakes'

const turn = () => new Promise((resolve) => setImmediate(resolve))

/** Waits for the hidden iframe (the only one) to be on the page; returns it. */
const frameOnPage = async (): Promise<HTMLIFrameElement> => {
  const deadline = performance.now() + 2_000
  while (!document.querySelector('iframe') && performance.now() < deadline) await turn()
  const frame = document.querySelector('iframe')
  if (!frame) throw new Error('no iframe on the page')
  return frame
}

const broadcast = (data: unknown) => {
  const channel = new BroadcastChannel(RESPONSE_CHANNEL)
  channel.postMessage(data)
  channel.close()
}

const settled = <T>(promise: Promise<T>) =>
  promise.then(
    (value) => ({ value }),
    (error: { code?: string; error?: string }) => ({ error }),
  )

const pending = async (promise: Promise<unknown>) =>
  (await Promise.race([promise, turn().then(() => 'pending')])) === 'pending'

let server: FakeAuthServer
beforeEach(() => {
  setPageUrl(`${APP_ORIGIN}/`)
  sessionStorage.clear()
  // The iframe's page is played by the test: happy-dom must not fetch tenant.auth0.com.
  ;(
    window as unknown as { happyDOM: { settings: { disableIframePageLoading: boolean } } }
  ).happyDOM.settings.disableIframePageLoading = true
  // …and says so on the console for each iframe; muted here, still checked for tokens.
  vi.spyOn(console, 'error').mockImplementation(() => {})
  server = auth0Server()
})
afterEach(() => {
  expectNoTokenLeaks()
  vi.useRealTimers()
  document.body.innerHTML = ''
})

describe('authenticateSilently', () => {
  test('a hidden iframe at /authorize with prompt=none and a window state; its answer is exchanged; the iframe is gone', async () => {
    const { auth, storage } = startClient(server)
    const silent = authenticateSilently(auth)
    const frame = await frameOnPage()
    expect(frame.hidden).toBe(true)
    const url = new URL(frame.src)
    expect(url.origin + url.pathname).toBe('https://tenant.auth0.com/authorize')
    expect(url.searchParams.get('prompt')).toBe('none')
    expect(url.searchParams.get('state')).toMatch(/^w\./)
    // As the callback page in the iframe posts it to its parent.
    window.dispatchEvent(
      new MessageEvent('message', {
        data: server.authorize(frame.src),
        origin: APP_ORIGIN,
        source: frame.contentWindow,
      }),
    )
    const tokens = await silent
    expect(tokens.accessToken).toBe(server.lastTokenResponse?.access_token)
    expect(auth.getTokens()).toEqual(tokens)
    expect(document.querySelectorAll('iframe')).toHaveLength(0)
    expect(storage.getItem(`latchkey.tx1.${CLIENT_ID}`)).toBeNull()
  })

  test('ignores a wrong origin, another window and another login; takes its own from the channel', async () => {
    const { auth } = startClient(server)
    const silent = authenticateSilently(auth, { authorizeParams: { prompt: 'login' } })
    const frame = await frameOnPage()
    expect(new URL(frame.src).searchParams.get('prompt')).toBe('none')
    const response = server.authorize(frame.src)
    const other = new URL(response)
    other.searchParams.set('state', 'w.someone-else')
    const post = (origin: string, source: unknown) =>
      window.dispatchEvent(
        new MessageEvent('message', { data: response, origin, source: source as Window }),
      )
    post('https://evil.example', frame.contentWindow)
    post(APP_ORIGIN, window)
    broadcast(other.href)
    for (let i = 0; i < 5; i++) await turn()
    expect(await pending(silent)).toBe(true)
    expect(server.tokenRequests).toHaveLength(0)
    broadcast(response)
    expect((await silent).accessToken).toBe(server.lastTokenResponse?.access_token)
  })

  test.each(['login_required', 'interaction_required', 'consent_required'])(
    'the server answering %s is authorization_error with that error; the iframe is removed',
    async (error) => {
      const { auth } = startClient(server)
      const silent = settled(authenticateSilently(auth))
      broadcast(server.deny((await frameOnPage()).src, error))
      expect(await silent).toMatchObject({ error: { code: 'authorization_error', error } })
      expect(document.querySelectorAll('iframe')).toHaveLength(0)
      expect(server.tokenRequests).toHaveLength(0)
    },
  )

  test('a tampered state from its own iframe: state_mismatch, no token request, the iframe removed', async () => {
    const { auth } = startClient(server)
    const silent = settled(authenticateSilently(auth))
    const frame = await frameOnPage()
    const tampered = new URL(server.authorize(frame.src))
    tampered.searchParams.set('state', `${tampered.searchParams.get('state')}x`)
    window.dispatchEvent(
      new MessageEvent('message', {
        data: tampered.href,
        origin: APP_ORIGIN,
        source: frame.contentWindow,
      }),
    )
    expect(await silent).toMatchObject({ error: { code: 'state_mismatch' } })
    expect(server.tokenRequests).toHaveLength(0)
    expect(document.querySelectorAll('iframe')).toHaveLength(0)
  })

  test('timeout after timeoutSeconds; the iframe removed; a late answer exchanges nothing', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const { auth } = startClient(server)
    const silent = settled(authenticateSilently(auth, { timeoutSeconds: 2 }))
    const frame = await frameOnPage()
    await vi.advanceTimersByTimeAsync(1_900)
    expect(await pending(silent)).toBe(true)
    await vi.advanceTimersByTimeAsync(200)
    expect(await silent).toMatchObject({ error: { code: 'timeout' } })
    expect(document.querySelectorAll('iframe')).toHaveLength(0)
    broadcast(server.authorize(frame.src))
    for (let i = 0; i < 5; i++) await turn()
    expect(server.tokenRequests).toHaveLength(0)
  })

  test('the default limit is 10 s', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const { auth } = startClient(server)
    const silent = settled(authenticateSilently(auth))
    await frameOnPage()
    await vi.advanceTimersByTimeAsync(9_900)
    expect(await pending(silent)).toBe(true)
    await vi.advanceTimersByTimeAsync(200)
    expect(await silent).toMatchObject({ error: { code: 'timeout' } })
  })

  test('two calls at once share one iframe and one promise; the next call starts a new one', async () => {
    const { auth } = startClient(server)
    const first = authenticateSilently(auth)
    const second = authenticateSilently(auth)
    expect(second).toBe(first)
    const frame = await frameOnPage()
    expect(document.querySelectorAll('iframe')).toHaveLength(1)
    broadcast(server.authorize(frame.src))
    const [a, b] = await Promise.all([first, second])
    expect(b).toBe(a)
    expect(server.tokenRequests).toHaveLength(1)
    const third = authenticateSilently(auth)
    expect(third).not.toBe(first)
    broadcast(server.authorize((await frameOnPage()).src))
    await third
    expect(server.tokenRequests).toHaveLength(2)
  })

  test('not a client: invalid_config', async () => {
    await expect(authenticateSilently({} as never)).rejects.toMatchObject({
      code: 'invalid_config',
    })
  })
})

describe('restoreSession: the silent step', () => {
  test('a session at the server comes back: true, with the tokens in memory', async () => {
    const { auth } = startClient(server)
    const restored = restoreSession(auth)
    broadcast(server.authorize((await frameOnPage()).src))
    expect(await restored).toBe(true)
    expect(auth.getTokens()?.accessToken).toBe(server.lastTokenResponse?.access_token)
  })

  test.each(['login_required', 'interaction_required', 'consent_required'])(
    '%s means no session: false, not an error',
    async (error) => {
      const { auth } = startClient(server)
      const restored = restoreSession(auth)
      broadcast(server.deny((await frameOnPage()).src, error))
      expect(await restored).toBe(false)
      expect(document.querySelectorAll('iframe')).toHaveLength(0)
    },
  )

  test('a real failure is the AuthError: timeout, and a refusal that is not "no session"', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const { auth } = startClient(server)
    const restored = settled(restoreSession(auth, { timeoutSeconds: 1 }))
    await frameOnPage()
    await vi.advanceTimersByTimeAsync(1_100)
    expect(await restored).toMatchObject({ error: { code: 'timeout' } })
    expect(document.querySelectorAll('iframe')).toHaveLength(0)
    vi.useRealTimers()
    const denied = settled(restoreSession(auth))
    broadcast(server.deny((await frameOnPage()).src, 'access_denied'))
    expect(await denied).toMatchObject({
      error: { code: 'authorization_error', error: 'access_denied' },
    })
  })

  test('silent: false answers false without an iframe; memory answers before any iframe', async () => {
    const { auth, signIn } = startClient(server)
    expect(await restoreSession(auth, { silent: false })).toBe(false)
    expect(document.querySelectorAll('iframe')).toHaveLength(0)
    await signIn()
    expect(await restoreSession(auth)).toBe(true)
    expect(document.querySelectorAll('iframe')).toHaveLength(0)
  })
})
