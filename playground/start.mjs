/**
 * `npm start`: the playground page (a Vite dev server that imports src/ directly, so an edit to the
 * library reloads the page) and the local authorization server, in one process. Ctrl-C stops both.
 *
 * Ports: `--port` / `PORT` for the page (default 5173), `--auth-port` / `AUTH_PORT` for the
 * authorization server (default 4000); 0 picks a free one.
 *
 * @module
 */
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { createServer } from 'vite'
import { API_PATH, startAuthServer } from '../server/auth-server.mjs'

/**
 * What the page learns about the local authorization server: its defaults for the settings
 * panel. Mirrors `LocalServer` in settings.ts.
 *
 * @typedef {object} LocalServer
 * @property {string} issuer
 * @property {string} clientId
 * @property {string} audience
 * @property {string} redirectUri
 * @property {string} apiUrl
 * @property {{ username: string, password: string }[]} users
 */

/**
 * @typedef {object} PlaygroundOptions
 * @property {number} [port] The page's port; default 5173, 0 for any free port.
 * @property {number} [authPort] The authorization server's port; default 4000, 0 for any free port.
 * @property {boolean} [quiet] No request log from either server (tests).
 */

/**
 * @typedef {object} Playground
 * @property {string} url The page to open, `http://localhost:<port>/`.
 * @property {LocalServer} localServer
 * @property {() => Promise<void>} close Stops both servers.
 */

/**
 * Hands the local server's settings to the page as a JSON `<script>` in index.html. Read per
 * request, because the authorization server starts after the page's port is known.
 *
 * @param {() => LocalServer | undefined} getLocalServer
 * @returns {import('vite').Plugin}
 */
const injectLocalServer = (getLocalServer) => ({
  name: 'latchkey-playground-local-server',
  transformIndexHtml: () => [
    {
      tag: 'script',
      attrs: { type: 'application/json', id: 'local-server' },
      // `<` escaped so no value can close the script element.
      children: JSON.stringify(getLocalServer() ?? null).replaceAll('<', '\\u003c'),
      injectTo: 'head',
    },
  ],
})

/**
 * Starts the playground page and the local authorization server.
 *
 * @param {PlaygroundOptions} [options]
 * @returns {Promise<Playground>}
 * @example
 * const playground = await startPlayground({ port: 0, authPort: 0, quiet: true })
 * // … open playground.url …
 * await playground.close()
 */
export async function startPlayground({ port = 5173, authPort = 4000, quiet = false } = {}) {
  /** @type {LocalServer | undefined} */
  let localServer
  const vite = await createServer({
    configFile: false,
    root: fileURLToPath(new URL('.', import.meta.url)),
    clearScreen: false,
    logLevel: quiet ? 'silent' : 'info',
    // Loopback only, like the authorization server. The page is opened as http://localhost,
    // which browsers treat as a secure context, so crypto.subtle (PKCE S256) is there.
    server: { host: '127.0.0.1', port, strictPort: true },
    // The page imports nothing but src/ (latchkey has no dependencies): nothing to pre-bundle.
    optimizeDeps: { noDiscovery: true },
    plugins: [injectLocalServer(() => localServer)],
  })
  await vite.listen().catch(async (error) => {
    await vite.close()
    throw error
  })
  const address = vite.httpServer?.address()
  const origin = `http://localhost:${typeof address === 'object' && address ? address.port : port}`

  // The app's origin is part of the server's client registration (redirect URIs, CORS), so the
  // server starts once the page's port is bound.
  const auth = await startAuthServer({
    port: authPort,
    quiet,
    redirectUris: [`${origin}/callback`, `${origin}/`],
  }).catch(async (error) => {
    await vite.close()
    throw error
  })
  localServer = {
    issuer: auth.issuer,
    clientId: auth.clientId,
    audience: auth.audience,
    redirectUri: `${origin}/callback`,
    apiUrl: `${auth.issuer}${API_PATH}`,
    users: auth.users.map(({ username, password }) => ({ username, password })),
  }
  return {
    url: `${origin}/`,
    localServer,
    close: async () => {
      await Promise.all([vite.close(), auth.close()])
    },
  }
}

/**
 * A port from a flag or an environment variable.
 *
 * @param {string | undefined} value
 * @param {string} name How the user set it, for the error message.
 * @param {number} fallback
 */
function portOption(value, name, fallback) {
  if (value === undefined || value === '') return fallback
  const port = Number(value)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`${name} must be a port number (0-65535), got "${value}"`)
  }
  return port
}

/** The `npm start` command: start, print where to go, stop on Ctrl-C. */
async function main() {
  /** @type {Playground} */
  let playground
  try {
    const { values } = parseArgs({
      options: { port: { type: 'string' }, 'auth-port': { type: 'string' } },
    })
    playground = await startPlayground({
      port: portOption(values.port ?? process.env.PORT, 'PORT (--port)', 5173),
      authPort: portOption(
        values['auth-port'] ?? process.env.AUTH_PORT,
        'AUTH_PORT (--auth-port)',
        4000,
      ),
    })
  } catch (error) {
    console.error(`playground: ${/** @type {Error} */ (error).message}`)
    console.error('Ports: PORT or --port for the page, AUTH_PORT or --auth-port for the server.')
    process.exitCode = 1
    return
  }
  const { url, localServer } = playground
  const users = localServer.users.map((user) => `${user.username} / ${user.password}`)
  console.log(`
  latchkey playground

  Open       ${url}
  Sign in    ${users.join('   or   ')}

  Authorization server  ${localServer.issuer}  (client ${localServer.clientId})
  Protected API         ${localServer.apiUrl}  (audience ${localServer.audience})

  Ports: PORT / --port and AUTH_PORT / --auth-port.  Ctrl-C stops both.
  (oidc-provider's two warnings above are expected here: Node 20 works for this local
  development server, and its sessions and tokens live in memory until Ctrl-C.)
`)
  /** @param {NodeJS.Signals} signal */
  const stop = async (signal) => {
    console.log(`\n${signal}: stopping the playground…`)
    await playground.close()
    console.log('Stopped.')
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main()
