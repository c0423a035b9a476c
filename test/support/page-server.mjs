/**
 * A tiny HTTP server standing in for the app: every path answers the same blank HTML page, so a
 * test browser has a real origin (a secure context on localhost, with `crypto.subtle`) to run
 * scripts in and to be redirected back to.
 *
 * @module
 */
import { createServer } from 'node:http'

const PAGE = '<!doctype html><html lang="en"><meta charset="utf-8"><title>app</title><body></body>'

/**
 * @typedef {object} PageServer
 * @property {string} origin `http://localhost:<port>`
 * @property {number} port
 * @property {() => Promise<void>} close
 */

/**
 * Starts the page server on a free port.
 *
 * @returns {Promise<PageServer>}
 */
export async function startPageServer() {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' })
    res.end(PAGE)
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)))
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address())
  return {
    origin: `http://localhost:${port}`,
    port,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve(undefined))
        server.closeAllConnections()
      }),
  }
}
