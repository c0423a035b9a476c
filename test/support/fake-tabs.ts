/**
 * Fakes of the two browser APIs `latchkey/tabs` stands on, for unit tests that must decide the
 * order of events a real browser leaves open: a `BroadcastChannel` whose delivery the test can
 * hold and release, and a Web Locks manager (exclusive and shared modes, `query`, `signal`).
 * Several clients in one test are several tabs.
 */

/** Messages wait here while delivery is held; `release()` delivers them in order. */
export class FakeBroadcastChannel {
  static channels = new Set<FakeBroadcastChannel>()
  static queue: { data: unknown; deliver: () => void }[] = []
  static holding = false

  onmessage: ((event: MessageEvent) => void) | null = null

  constructor(readonly name: string) {
    FakeBroadcastChannel.channels.add(this)
  }

  postMessage(data: unknown): void {
    for (const other of FakeBroadcastChannel.channels) {
      if (other === this || other.name !== this.name) continue
      const copy = structuredClone(data)
      FakeBroadcastChannel.queue.push({
        data: copy,
        deliver: () => other.onmessage?.({ data: copy } as MessageEvent),
      })
    }
    // A real channel delivers in a later task, never during postMessage.
    if (!FakeBroadcastChannel.holding) setTimeout(FakeBroadcastChannel.release)
  }

  close(): void {
    FakeBroadcastChannel.channels.delete(this)
  }

  /** Delivers every queued message, in order. */
  static release(): void {
    for (const message of FakeBroadcastChannel.queue.splice(0)) message.deliver()
  }

  static reset(): void {
    FakeBroadcastChannel.channels.clear()
    FakeBroadcastChannel.queue = []
    FakeBroadcastChannel.holding = false
  }
}

type Mode = 'exclusive' | 'shared'
interface Request {
  name: string
  mode: Mode
  grant: () => void
}

/** A Web Locks manager for one origin: requests are granted in order, shared ones together. */
export const createFakeLocks = () => {
  const held: { name: string; mode: Mode }[] = []
  const pending: Request[] = []
  const grantable = (name: string, mode: Mode) =>
    held.every((lock) => lock.name !== name || (mode === 'shared' && lock.mode === 'shared'))
  const pump = () => {
    for (const request of [...pending]) {
      const first = pending.find((other) => other.name === request.name)
      if (first === request && grantable(request.name, request.mode)) {
        pending.splice(pending.indexOf(request), 1)
        request.grant()
      }
    }
  }
  return {
    request<T>(
      name: string,
      options: { mode?: Mode; signal?: AbortSignal },
      callback: () => Promise<T>,
    ): Promise<T> {
      const mode = options.mode ?? 'exclusive'
      return new Promise<T>((resolve, reject) => {
        const request: Request = {
          name,
          mode,
          grant: () => {
            options.signal?.removeEventListener('abort', abort)
            const lock = { name, mode }
            held.push(lock)
            Promise.resolve()
              .then(callback)
              .then(resolve, reject)
              .finally(() => {
                held.splice(held.indexOf(lock), 1)
                pump()
              })
          },
        }
        const abort = () => {
          pending.splice(pending.indexOf(request), 1)
          reject(options.signal?.reason)
        }
        options.signal?.addEventListener('abort', abort, { once: true })
        pending.push(request)
        pump()
      })
    },
    query: async () => ({
      held: held.map(({ name, mode }) => ({ name, mode })),
      pending: pending.map(({ name, mode }) => ({ name, mode })),
    }),
  }
}
