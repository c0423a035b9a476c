/**
 * Wiring for client tests: a createClient on a fake server, with injected storage, fetch and
 * navigate, and a log of every token change.
 */
import { expect, vi } from 'vitest'
import { type ChangeReason, type ClientOptions, createClient, type TokenSet } from '../../src/index'
import {
  CLIENT_ID,
  type FakeAuthServer,
  findTokenLeaks,
  type MemoryStorage,
  memoryStorage,
  REDIRECT_URI,
} from './fakes'

/** Every client started in the current test, for {@link expectNoTokenLeaks}. */
const started: { server: FakeAuthServer; storage: MemoryStorage }[] = []
const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const

/** Watches the console from here on (rule 17: no token in logs). */
export const watchConsole = (): void => {
  for (const method of CONSOLE_METHODS) vi.spyOn(console, method)
}

/**
 * Rule 17, after every client test: no token the fake server issued is in Web Storage, the
 * injected storage, cookies, the URL, history state, or any console call.
 */
export const expectNoTokenLeaks = (): void => {
  for (const { server, storage } of started.splice(0)) {
    if (!server.issued.size) continue
    expect(findTokenLeaks(server.issued, [storage])).toEqual([])
    for (const method of CONSOLE_METHODS) {
      const calls = vi.isMockFunction(console[method]) ? vi.mocked(console[method]).mock.calls : []
      const logged = calls.map((args) => args.map(String).join(' '))
      for (const token of server.issued) {
        expect(logged.filter((line) => line.includes(token))).toEqual([])
      }
    }
  }
  vi.restoreAllMocks()
}

/** Points happy-dom's window at a URL (location, origin, history). */
export const setPageUrl = (url: string): void => {
  ;(window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM.setURL(url)
}

export const startClient = (server: FakeAuthServer, options: Partial<ClientOptions> = {}) => {
  const storage = memoryStorage()
  const navigate = vi.fn<(url: string) => void>()
  const auth = createClient({
    ...server.config.clientOptions,
    clientId: CLIENT_ID,
    redirectUri: REDIRECT_URI,
    storage,
    fetch: server.fetch,
    navigate,
    ...options,
  } as ClientOptions)
  started.push({ server, storage })
  const changes: [TokenSet | undefined, ChangeReason][] = []
  auth.subscribe((tokens, reason) => changes.push([tokens, reason]))
  /** A whole login: authorize URL, the user logs in, the callback is handled. */
  const signIn = async (extras: Record<string, string> = {}) =>
    auth.handleRedirectCallback(server.authorize(await auth.createAuthorizeUrl(), extras))
  return { auth, storage, navigate, changes, signIn, server }
}
