/**
 * A tiny static server for the end-to-end tests: it plays the application's origin, serving the
 * test pages, the BUILT bundles from dist/, `/config.js` that tells a page where the local
 * authorization server is (its port is only known at run time), and `/api/*` passed through to
 * the protected API, as an app's own backend would be (so same-origin `auth.fetch('/api/…')` works,
 * with DPoP too: the `DPoP` header goes up, `DPoP-Nonce` comes back).
 *
 * @module
 */
import { readFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import { extname, join, normalize } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
}

/**
 * Starts the app server on a free port, on 127.0.0.1: `http://localhost:<port>` is its origin,
 * `http://127.0.0.1:<port>` the same pages on another site (a cross-site app for silent logins).
 *
 * @param {{ pagesDir?: string, distDir?: string }} [options] Folders served at `/` and `/dist/`.
 * @returns {Promise<{ origin: string, port: number, setConfig: (config: object) => void, setApi: (origin: string) => void, setPage: (path: string, html: string) => void, requests: string[], close: () => Promise<void> }>}
 */
export async function startAppServer(options = {}) {
  const pagesDir = options.pagesDir ?? join(ROOT, 'test/e2e/pages')
  const distDir = options.distDir ?? join(ROOT, 'dist')
  let config = {}
  let apiOrigin = ''
  /** Pages made by a test at run time, by path. */
  const generated = new Map()
  /** Every request line with its Referer, so tests can check that no code or token leaked into one. */
  const requests = []
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    requests.push(`${req.method} ${req.url} referer=${req.headers.referer ?? ''}`)
    if (url.pathname === '/config.js') {
      res.writeHead(200, { 'content-type': TYPES['.js'], 'cache-control': 'no-store' })
      res.end(`window.E2E_CONFIG = ${JSON.stringify(config)}`)
      return
    }
    if (generated.has(url.pathname)) {
      res.writeHead(200, { 'content-type': TYPES['.html'], 'cache-control': 'no-store' })
      res.end(generated.get(url.pathname))
      return
    }
    if (url.pathname.startsWith('/api/') && apiOrigin) {
      // DPoP proofs name the URL the page called (this origin): X-Forwarded-Host tells the API.
      const dpop = req.headers.dpop
      const upstream = await fetch(apiOrigin + url.pathname + url.search, {
        headers: {
          authorization: req.headers.authorization ?? '',
          ...(typeof dpop === 'string' ? { dpop } : {}),
          'x-forwarded-host': req.headers.host ?? '',
        },
      })
      const nonce = upstream.headers.get('dpop-nonce')
      res.writeHead(upstream.status, {
        'content-type': upstream.headers.get('content-type') ?? 'text/plain',
        'www-authenticate': upstream.headers.get('www-authenticate') ?? '',
        ...(nonce ? { 'dpop-nonce': nonce } : {}),
      })
      res.end(await upstream.text())
      return
    }
    const [dir, rel] = url.pathname.startsWith('/dist/')
      ? [distDir, url.pathname.slice('/dist/'.length)]
      : [pagesDir, url.pathname.slice(1) || 'index.html']
    const file = normalize(join(dir, rel))
    if (!file.startsWith(dir)) {
      res.writeHead(403).end()
      return
    }
    try {
      const body = await readFile(file)
      res.writeHead(200, {
        'content-type':
          TYPES[/** @type {keyof TYPES} */ (extname(file))] ?? 'application/octet-stream',
        'cache-control': 'no-store',
      })
      res.end(body)
    } catch {
      res.writeHead(404).end('not found')
    }
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    origin: `http://localhost:${port}`,
    port,
    setConfig: (next) => {
      config = next
    },
    setApi: (origin) => {
      apiOrigin = origin
    },
    setPage: (path, html) => {
      generated.set(path, html)
    },
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve(undefined))
      }),
  }
}
