/**
 * A same-origin path (with query and fragment) taken from untrusted input, such as a `returnTo`
 * query parameter, else `fallback`. Anything that would leave the origin is refused: `//evil`,
 * `/\evil`, `https:evil`, `javascript:…`, and tricks with tabs, newlines or encoded characters,
 * because the decision is made on the URL as the browser's own parser resolves it (RFC 9700 §4.11).
 *
 * @example
 * ```ts
 * // /login?returnTo=//evil.example → '/'; /login?returnTo=/inbox → '/inbox'
 * await auth.login({ appState: { returnTo: safeReturnTo(new URLSearchParams(location.search).get('returnTo')) } })
 * ```
 */
export const safeReturnTo = (value: unknown, fallback = '/'): string => {
  const base = 'https://latchkey.invalid'
  if (typeof value !== 'string' || !value.startsWith('/')) return fallback
  try {
    const url = new URL(value, base)
    const path = url.pathname + url.search + url.hash
    // Dot segments can resolve to a path that starts with `//` (`/.//evil.com`): protocol-relative, another host.
    return url.origin === base && !path.startsWith('//') ? path : fallback
  } catch {
    return fallback
  }
}
