#!/usr/bin/env node
/**
 * Runs the local authorization server from a terminal:
 *
 *   node server/cli.mjs [--port 4000] [--redirect-uri URL]... [--coop] [--quiet]
 *
 * Prints what an app needs to use it (issuer, client id, audience, demo users) and stops cleanly
 * on Ctrl-C (SIGINT) or SIGTERM.
 *
 * @module
 */
import { parseArgs } from 'node:util'
import { API_PATH, startAuthServer } from './auth-server.mjs'

const USAGE = `Usage: node server/cli.mjs [--port N] [--redirect-uri URL]... [--coop] [--quiet]

  --port N            port to listen on (default 4000; 0 picks a free one)
  --redirect-uri URL  an allowed redirect URI, repeatable
                      (default http://localhost:5173/ and http://localhost:5173/callback)
  --coop              send Cross-Origin-Opener-Policy: same-origin on the login pages
                      (a popup login then runs severed from its opener)
  --quiet             no request log`

/** @returns {{ port?: number, redirectUris?: string[], coop: boolean, quiet: boolean } | undefined} */
function readArguments() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      'redirect-uri': { type: 'string', multiple: true },
      coop: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) return undefined
  const port = values.port === undefined ? undefined : Number(values.port)
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
    throw new Error(`--port must be an integer from 0 to 65535, got ${values.port}`)
  }
  return {
    ...(port === undefined ? {} : { port }),
    ...(values['redirect-uri'] ? { redirectUris: values['redirect-uri'] } : {}),
    coop: Boolean(values.coop),
    quiet: Boolean(values.quiet),
  }
}

async function main() {
  let args
  try {
    args = readArguments()
  } catch (error) {
    console.error(`${/** @type {Error} */ (error).message}\n\n${USAGE}`)
    process.exitCode = 2
    return
  }
  if (!args) {
    console.log(USAGE)
    return
  }

  const server = await startAuthServer(args)
  const users = server.users.map((user) => `${user.username} / ${user.password}`).join(', ')
  console.log(`latchkey local authorization server (development only, dev keys are public)
  issuer     ${server.issuer}
  discovery  ${server.issuer}/.well-known/openid-configuration
  client id  ${server.clientId}
  audience   ${server.audience}
  users      ${users}
  API        GET ${server.issuer}${API_PATH}
Ctrl-C to stop.`)

  let stopping = false
  /** @param {NodeJS.Signals} signal */
  const stop = async (signal) => {
    // A second Ctrl-C while closing means "now".
    if (stopping) process.exit(130)
    stopping = true
    console.log(`\n${signal}: closing`)
    await server.close()
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error)
  process.exitCode = 1
})
