/**
 * What a page can still show after a test, for the leak checks of both drivers (Playwright in
 * e2e.ts, puppeteer in puppeteer-e2e.ts): Web Storage, cookies, IndexedDB (names and every
 * record), the URL, history state and the DOM.
 */

/** Where {@link readPagePlaces} puts the records of latchkey/dpop's persisted sessions. */
export const DPOP_SESSIONS_PLACE = 'indexedDB latchkey-dpop/sessions'

/**
 * Runs in the page (`page.evaluate(readPagePlaces)`), so it is self-contained: it may use
 * nothing from this module. latchkey/dpop's persisted sessions (the one place a DPoP-bound
 * refresh token may be, security.md rule 24) come under their own name, for the caller to check.
 */
export const readPagePlaces = async (): Promise<Record<string, string>> => {
  const dump = (storage: Storage) =>
    Object.keys(storage)
      .map((key) => `${key}=${storage.getItem(key)}`)
      .join('\n')
  const request = <T>(r: IDBRequest<T>) =>
    new Promise<T>((resolve, reject) => {
      r.onsuccess = () => resolve(r.result)
      r.onerror = () => reject(r.error)
    })
  const records: string[] = []
  let dpopSessions: unknown[] = []
  for (const { name } of (await indexedDB.databases?.()) ?? []) {
    if (!name) continue
    records.push(name)
    const db = await request(indexedDB.open(name))
    for (const store of db.objectStoreNames) {
      const all = await request(db.transaction(store).objectStore(store).getAll())
      if (name === 'latchkey-dpop' && store === 'sessions') dpopSessions = all
      else records.push(`${store}: ${JSON.stringify(all)}`)
    }
    db.close()
  }
  return {
    localStorage: dump(localStorage),
    sessionStorage: dump(sessionStorage),
    documentCookie: document.cookie,
    url: location.href,
    historyState: JSON.stringify(history.state) ?? '',
    indexedDB: records.join('\n'),
    // The same string as DPOP_SESSIONS_PLACE, spelled out: this function runs in the page.
    'indexedDB latchkey-dpop/sessions': JSON.stringify(dpopSessions),
    document: document.documentElement.outerHTML,
  }
}
