/** A loopback host: a developer's own machine, where plain http cannot be intercepted. */
const isLoopback = (url: URL): boolean =>
  /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/.test(url.hostname)

/**
 * True for an https URL, or http on a loopback host. Endpoints that receive a code verifier,
 * a code or a token must be one of these (RFC 6749 §3.1, §3.2 require TLS).
 */
export const isSecureUrl = (value: unknown): boolean => {
  try {
    const url = new URL(value as string)
    return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url))
  } catch {
    return false
  }
}
