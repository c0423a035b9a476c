/**
 * Page-side helpers shared by the Chromium (Playwright) and Firefox (puppeteer) silent-login
 * tests: plain functions handed to `page.evaluate`, so they run in the app's page.
 *
 * @module
 */

/**
 * Runs in the page: loads `url` in a hidden iframe and waits until the frame is at a URL that
 * starts with `redirectPrefix` (the app's redirect URI, same origin as the page); returns that
 * URL's query, or `{ timeout: 'true' }` after `timeoutMs`. The iframe is always removed.
 *
 * @param {{ url: string, redirectPrefix: string, timeoutMs: number }} args
 * @returns {Promise<Record<string, string>>}
 */
export async function loadInHiddenFrame({ url, redirectPrefix, timeoutMs }) {
  const frame = document.createElement('iframe')
  frame.style.display = 'none'
  frame.src = url
  document.body.append(frame)
  const deadline = Date.now() + timeoutMs
  try {
    while (Date.now() < deadline) {
      let href = ''
      try {
        // Readable only while the frame is on the page's own origin (the redirect URI).
        href = frame.contentWindow?.location.href ?? ''
      } catch {
        href = ''
      }
      if (href.startsWith(redirectPrefix)) return Object.fromEntries(new URL(href).searchParams)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    return { timeout: 'true' }
  } finally {
    frame.remove()
  }
}
