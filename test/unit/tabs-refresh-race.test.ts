// Rule 20 where a real browser leaves the order open: the tab that gets the refresh lock next
// may not yet have heard the new tokens the last holder broadcast (the lock grant and the
// channel message travel separately). It must learn of them from the lock manager and wait for
// them, never refresh with the rotated-out token: one refresh request, whatever the order.
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import type { AuthError } from '../../src/index'
import { syncTabs } from '../../src/tabs/index'
import { setPageUrl, startClient } from '../support/client'
import { createFakeLocks, FakeBroadcastChannel } from '../support/fake-tabs'
import { APP_ORIGIN, auth0Server, type FakeAuthServer } from '../support/fakes'

beforeEach(() => {
  setPageUrl(`${APP_ORIGIN}/`)
  sessionStorage.clear()
  FakeBroadcastChannel.reset()
  vi.stubGlobal('BroadcastChannel', FakeBroadcastChannel)
  vi.stubGlobal('navigator', { ...navigator, locks: createFakeLocks() })
})
afterEach(() => {
  vi.unstubAllGlobals()
})

const refreshes = (server: FakeAuthServer) =>
  server.tokenRequests.filter((request) => request.form.get('grant_type') === 'refresh_token')

/** Two tabs of one session: A signs in, B hears it over the channel. */
const twoTabs = async (lockTimeoutSeconds = 5) => {
  const server = auth0Server()
  const a = startClient(server, { tabs: syncTabs({ lockTimeoutSeconds }) })
  const b = startClient(server, { tabs: syncTabs({ lockTimeoutSeconds }) })
  await a.signIn()
  await vi.waitFor(() => expect(b.auth.getTokens()).toEqual(a.auth.getTokens()))
  return { server, a, b }
}

/** Resolves once B, holding the refresh lock, has asked the other tabs for the newer session. */
const untilAsked = () =>
  vi.waitFor(() =>
    expect(
      FakeBroadcastChannel.queue.some(({ data }) => (data as { type?: string })?.type === 'ask'),
    ).toBe(true),
  )

describe('rule 20: the next holder of the refresh lock waits for the tokens it has not heard of', () => {
  test("B gets the lock before A's broadcast arrives: it asks, takes A's tokens, makes no request", async () => {
    const { server, a, b } = await twoTabs()
    FakeBroadcastChannel.holding = true
    const fromA = a.auth.getAccessToken({ forceRefresh: true })
    const fromB = b.auth.getAccessToken({ forceRefresh: true })
    const tokenOfA = await fromA
    // A's new tokens are still in the channel; B holds the lock and has asked for them.
    await untilAsked()
    expect(b.auth.getTokens()?.accessToken).not.toBe(tokenOfA)
    FakeBroadcastChannel.holding = false
    FakeBroadcastChannel.release()
    expect(await fromB).toBe(tokenOfA)
    expect(refreshes(server)).toHaveLength(1)
    expect(b.auth.getTokens()).toEqual(a.auth.getTokens())
  })

  test('if the newer tokens never arrive, B gives up with timeout and still sends no refresh', async () => {
    const { server, a, b } = await twoTabs(0.2)
    FakeBroadcastChannel.holding = true
    await a.auth.getAccessToken({ forceRefresh: true })
    const error = await b.auth.getAccessToken({ forceRefresh: true }).catch((e: AuthError) => e)
    expect((error as AuthError).code).toBe('timeout')
    expect(refreshes(server)).toHaveLength(1)
    // B still holds the old session: nothing was thrown away on a timeout.
    expect(b.auth.isAuthenticated()).toBe(true)
  })

  test('a tab that holds the lock too long makes the others time out, not wait forever', async () => {
    const { server, a, b } = await twoTabs(0.2)
    server.tokenRoute = () => new Promise<Response>(() => {})
    void a.auth.getAccessToken({ forceRefresh: true }).catch(() => {})
    const error = await b.auth.getAccessToken({ forceRefresh: true }).catch((e: AuthError) => e)
    expect((error as AuthError).code).toBe('timeout')
    expect(refreshes(server)).toHaveLength(1)
  })
})
