/**
 * latchkey beside its peers: bundle sizes for the same job (each entry first run through that job
 * in Chromium, so none is small by skipping a step), PKCE speed against the bare WebCrypto floor
 * in Node and Chromium, and login/callback time in Chromium. Prints the tables and writes them to
 * bench/RESULTS.md with the machine they were measured on.
 *
 * Not part of `npm test`: installing the peers needs the network. `npm run bench` at the root
 * builds (the `<script>` bundle is measured and driven as built), installs the peers pinned in
 * bench/package.json, and runs this.
 *
 * @module
 */
import { execFileSync } from 'node:child_process'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import { availableParallelism, loadavg, release } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import * as esbuild from 'esbuild'
import { BUNDLE_OPTIONS, formatBytes, markdownTable, sizesOf } from '../scripts/bundle-size.mjs'
import { launchChromium } from '../test/support/chromium.mjs'

const BENCH = fileURLToPath(new URL('.', import.meta.url))
const ROOT = join(BENCH, '..')
const OUT = join(BENCH, 'dist')
const IIFE = join(ROOT, 'dist/latchkey.iife.js')

/**
 * PKCE timing: each module makes PKCE_BLOCKS blocks of PKCE_BLOCK pairs, its blocks alternating
 * with the other module's, after PKCE_WARMUP untimed blocks each for the JIT. On a shared 2-core
 * machine the load drifts and stalls a block now and then: alternating short blocks spreads the
 * drift evenly over both, and medians of block times ignore the stalls.
 */
const PKCE_BLOCK = 100
const PKCE_BLOCKS = 1_000
const PKCE_WARMUP = 50
/** Bootstrap resamples for the interval of latchkey / floor. */
const RESAMPLES = 500
/** Login + callback round trips in Chromium, after the warm-up ones. */
const FLOW_WARMUP = 20
const FLOW_RUNS = 500

/** The job every same-job entry does, against an Auth0-style tenant. */
const CONFIG = {
  domain: 'tenant.auth0.com',
  clientId: 'abc123',
  audience: 'https://api.example.com',
  scope: 'openid profile email offline_access',
}
const ISSUER = `https://${CONFIG.domain}/`
const TOKEN_ENDPOINT = `${ISSUER}oauth/token`

/**
 * @typedef {object} Entry
 * @property {string} job what the entry does; rows of one job are compared with latchkey's
 * @property {string} [pkg] a peer: the npm package, whose installed version is reported
 * @property {string} [library] what the entry is, when it is not a peer
 * @property {boolean} [latchkey] latchkey's row for the job, the one the others are compared with
 * @property {boolean} [ours] another latchkey row, compared with that one
 * @property {string} file in bench/entries
 */

/** @type {Entry[]} */
const ENTRIES = [
  { job: 'same job', pkg: '@auth0/auth0-spa-js', file: 'auth0-spa-js.js' },
  { job: 'same job', pkg: 'oidc-client-ts', file: 'oidc-client-ts.js' },
  { job: 'same job', pkg: 'oauth4webapi', file: 'oauth4webapi.js' },
  { job: 'same job', pkg: '@badgateway/oauth2-client', file: 'badgateway-oauth2-client.js' },
  { job: 'same job', library: 'hand-written, no checks', file: 'hand-written.js' },
  {
    job: 'same job',
    library: 'latchkey createClient',
    latchkey: true,
    file: 'latchkey-same-job.js',
  },
  {
    job: 'same job',
    library: 'latchkey low-level functions, app keeps state',
    ours: true,
    file: 'latchkey-low-level.js',
  },
  {
    job: 'PKCE pair',
    library: 'latchkey createCodeVerifier + createCodeChallenge',
    latchkey: true,
    file: 'latchkey-pkce.js',
  },
  { job: 'PKCE pair', library: 'bare WebCrypto floor', file: 'pkce-floor.js' },
  // auth0-spa-js's one bundle carries cross-tab refresh locks, popup and silent login and DPoP
  // whether an app uses them or not; latchkey's add-ons for the same, all imported at once.
  {
    job: 'everything auth0-spa-js offers',
    library: 'latchkey core + tabs + popup + silent + DPoP',
    latchkey: true,
    file: 'latchkey-everything.js',
  },
  { job: 'everything auth0-spa-js offers', pkg: '@auth0/auth0-spa-js', file: 'auth0-spa-js.js' },
]

/** @param {string[]} args */
const git = (...args) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim()

/** latchkey's version, and the commit its src/ was measured at (it changes between releases). */
const latchkeyVersion = async () => {
  const { version } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'))
  const dirty = git('status', '--porcelain', '--', 'src') ? ' + uncommitted src' : ''
  return `${version} (${git('rev-parse', '--short', 'HEAD')}${dirty})`
}

/** @param {string} pkg */
const installedVersion = async (pkg) =>
  JSON.parse(await readFile(join(BENCH, 'node_modules', pkg, 'package.json'), 'utf8')).version

/**
 * @param {number[]} values
 * @param {number} q between 0 and 1
 */
const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b)
  const at = q * (sorted.length - 1)
  const below = Math.floor(at)
  return sorted[below] + (sorted[Math.ceil(at)] - sorted[below]) * (at - below)
}
/** @param {number[]} values */
const median = (values) => quantile(values, 0.5)

/** Bundles every entry to bench/dist (the speed runs import the same bytes) and measures it. */
const measureSizes = async () => {
  await mkdir(OUT, { recursive: true })
  const latchkey = await latchkeyVersion()
  const rows = []
  for (const entry of ENTRIES) {
    const { outputFiles } = await esbuild.build({
      ...BUNDLE_OPTIONS,
      absWorkingDir: BENCH,
      entryPoints: [`entries/${entry.file}`],
    })
    const bytes = outputFiles[0].contents
    await writeFile(join(OUT, entry.file), bytes)
    rows.push({
      job: entry.job,
      library: entry.pkg ?? entry.library,
      version: entry.pkg
        ? await installedVersion(entry.pkg)
        : entry.latchkey || entry.ours
          ? latchkey
          : '–',
      latchkey: entry.latchkey,
      sizes: sizesOf(bytes),
    })
  }
  rows.push({
    job: '`<script>` tag',
    library: 'latchkey dist/latchkey.iife.js (everything)',
    latchkey: true,
    version: latchkey,
    sizes: sizesOf(await readFile(IIFE)),
  })
  const latchkeyRows = new Map(rows.filter((row) => row.latchkey).map((row) => [row.job, row]))
  return markdownTable(
    ['job', 'library', 'version', 'minified', 'gzip', 'brotli', 'brotli vs latchkey'],
    rows.map((row) => {
      const base = latchkeyRows.get(row.job)
      return [
        row.job,
        row.library,
        row.version,
        formatBytes(row.sizes.raw),
        formatBytes(row.sizes.gzip),
        formatBytes(row.sizes.brotli),
        base && !row.latchkey ? `${(row.sizes.brotli / base.sizes.brotli).toFixed(2)}×` : '',
      ]
    }),
    ['left', 'left', 'left', 'right', 'right', 'right', 'right'],
  )
}

/**
 * Times `createPkcePair` from each module: blocks of `block` pairs made one after the other, as
 * an app makes them, each module's blocks alternating with the others'. Self-contained: it also
 * runs in the page, serialized by page.evaluate.
 *
 * @param {{ urls: string[], block: number, warmup: number, blocks: number }} options
 * @returns {Promise<number[][]>} milliseconds per block, per module
 */
const timePkcePairs = async ({ urls, block, warmup, blocks }) => {
  const makers = []
  for (const url of urls) makers.push((await import(url)).createPkcePair)
  const times = makers.map(() => /** @type {number[]} */ ([]))
  for (let turn = -warmup; turn < blocks; turn++) {
    for (let slot = 0; slot < makers.length; slot++) {
      // Who goes first alternates, so neither always follows the other.
      const index = turn % 2 ? makers.length - 1 - slot : slot
      const start = performance.now()
      for (let pair = 0; pair < block; pair++) await makers[index]()
      if (turn >= 0) times[index].push(performance.now() - start)
    }
  }
  return times
}

/**
 * A 95 % interval for median(floor) / median(latchkey), by resampling the blocks with
 * replacement (the bootstrap): it says whether a difference of a few percent is really there.
 *
 * @param {number[]} ours
 * @param {number[]} floor
 */
const ratioInterval = (ours, floor) => {
  /** @param {number[]} values */
  const resample = (values) => values.map(() => values[Math.floor(Math.random() * values.length)])
  const ratios = Array.from(
    { length: RESAMPLES },
    () => median(resample(floor)) / median(resample(ours)),
  )
  return [quantile(ratios, 0.025), quantile(ratios, 0.975)]
}

/** @param {number} ratio */
const percent = (ratio) => `${(ratio * 100).toFixed(1)} %`

/**
 * @param {string} runtime
 * @param {number[][]} times latchkey's block times, then the floor's
 */
const pkceRow = (runtime, [ours, floor]) => {
  const [low, high] = ratioInterval(ours, floor)
  const rate = (/** @type {number[]} */ times) =>
    Math.round((PKCE_BLOCK / median(times)) * 1000).toLocaleString('en-US')
  return [
    runtime,
    rate(ours),
    rate(floor),
    percent(median(floor) / median(ours)),
    `${percent(low)} – ${percent(high)}`,
  ]
}

const PAGE = `<!doctype html><html lang="en"><meta charset="utf-8"><title>latchkey bench</title>
<script src="/latchkey.iife.js"></script>
<script type="module">
  const file = sessionStorage.getItem('bench.entry')
  if (file) window.entry = await import('/entries/' + file)
</script>`

/**
 * Serves the bench page, the built `<script>` bundle and the built entries from localhost, a
 * secure context. The page loads the `<script>` bundle, and the entry named in sessionStorage if
 * any. Cross-origin isolation gives performance.now() 5 µs resolution instead of 100.
 */
const startServer = async () => {
  const files = new Map([['/latchkey.iife.js', IIFE]])
  for (const { file } of ENTRIES) files.set(`/entries/${file}`, join(OUT, file))
  const server = createServer(async (request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname
    const headers = {
      'cache-control': 'no-store',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
    }
    if (path === '/' || path === '/callback') {
      response.writeHead(200, { ...headers, 'content-type': 'text/html; charset=utf-8' })
      response.end(PAGE)
    } else if (files.has(path)) {
      response.writeHead(200, { ...headers, 'content-type': 'text/javascript; charset=utf-8' })
      response.end(await readFile(/** @type {string} */ (files.get(path))))
    } else {
      response.writeHead(404).end()
    }
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)))
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address())
  return { origin: `http://localhost:${port}`, close: () => server.close() }
}

/** @param {object} value */
const encodeJwtPart = (value) => Buffer.from(JSON.stringify(value)).toString('base64url')

/** What the faked token endpoint answers a code with, then a refresh token with. */
const FIRST_TOKEN = 'first-access-token'
const REFRESHED_TOKEN = 'refreshed-access-token'

/**
 * The authorization server, faked with Playwright routes in the browser context: discovery;
 * `/authorize` redirects straight back with a code; the token endpoint answers a code with an
 * access token that expires in 1 s and a refresh token, and a refresh token with a new access
 * token. The request's nonce travels in the code (`code.<nonce>`), so the ID token can carry it
 * back; its claims pass every library's checks and its signature is fake (none checks the
 * signature of an ID token it got straight from the token endpoint).
 *
 * @param {string[]} grants collects the grant_type of every token request
 * @returns {(route: import('playwright-core').Route) => Promise<void>}
 */
const fakeAuthorizationServer = (grants) => (route) => {
  const request = route.request()
  const url = new URL(request.url())
  const cors = { 'access-control-allow-origin': '*', 'access-control-allow-headers': '*' }
  const json = (body) =>
    route.fulfill({ headers: cors, contentType: 'application/json', body: JSON.stringify(body) })
  if (request.method() === 'OPTIONS') return route.fulfill({ status: 204, headers: cors })
  if (url.pathname === '/authorize') {
    const query = url.searchParams
    const back = new URL(query.get('redirect_uri') ?? '')
    back.search = new URLSearchParams({
      code: `code.${query.get('nonce') ?? ''}`,
      state: query.get('state') ?? '',
    }).toString()
    return route.fulfill({ status: 302, headers: { location: back.href } })
  }
  if (url.pathname === '/.well-known/openid-configuration') {
    return json({
      issuer: ISSUER,
      authorization_endpoint: `${ISSUER}authorize`,
      token_endpoint: TOKEN_ENDPOINT,
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
    })
  }
  const form = new URLSearchParams(request.postData() ?? '')
  const grant = form.get('grant_type') ?? ''
  grants.push(grant)
  const nonce = form.get('code')?.split('.')[1]
  const now = Math.floor(Date.now() / 1000)
  const claims = {
    iss: ISSUER,
    aud: CONFIG.clientId,
    sub: 'auth0|bench',
    iat: now,
    exp: now + 3600,
  }
  const refreshing = grant === 'refresh_token'
  return json({
    access_token: refreshing ? REFRESHED_TOKEN : FIRST_TOKEN,
    token_type: 'Bearer',
    expires_in: refreshing ? 3600 : 1,
    refresh_token: refreshing ? 'second-refresh-token' : 'first-refresh-token',
    id_token: [
      encodeJwtPart({ alg: 'RS256', typ: 'JWT' }),
      encodeJwtPart(nonce ? { ...claims, nonce } : claims),
      'c2lnbmF0dXJl',
    ].join('.'),
    scope: CONFIG.scope,
  })
}

/**
 * Runs a same-job entry through the job in Chromium, so no entry looks small by skipping a step:
 * login() reaches /authorize and comes back; handleCallback() exchanges the code and clears the
 * address bar; once the first access token has expired, getAccessToken() refreshes it.
 *
 * @param {import('playwright-core').Browser} browser
 * @param {string} origin
 * @param {string} file
 */
const checkEntry = async (browser, origin, file) => {
  const context = await browser.newContext()
  /** @type {string[]} */
  const grants = []
  await context.route(`${ISSUER}**`, fakeAuthorizationServer(grants))
  await context.addInitScript((name) => sessionStorage.setItem('bench.entry', name), file)
  const page = await context.newPage()
  try {
    await page.goto(`${origin}/`)
    await page.waitForFunction(() => window.entry)
    // login() navigates away, so its promise may never settle: it is started, not awaited.
    await Promise.all([
      page.waitForURL('**/callback?**', { timeout: 10_000 }),
      page.evaluate(() => {
        window.entry.login()
      }),
    ])
    await page.waitForFunction(() => window.entry)
    await page.evaluate(() => window.entry.handleCallback())
    const addressBar = new URL(page.url()).search
    // Real time must pass: the first access token lives 1 s, and some libraries allow no leeway.
    await page.waitForTimeout(1_100)
    const token = await page.evaluate(() => window.entry.getAccessToken())
    const didTheJob =
      grants.join() === 'authorization_code,refresh_token' &&
      !addressBar &&
      token === REFRESHED_TOKEN
    if (!didTheJob) {
      throw new Error(
        `token requests: ${grants.join(', ')}; address bar after the callback: "${addressBar}"; final token: ${token}`,
      )
    }
  } catch (error) {
    throw new Error(`bench/entries/${file} does not do the job: ${error.message}`)
  } finally {
    await context.close()
  }
}

/**
 * In the page: login() until it calls navigate; handleRedirectCallback() with the redirect URI,
 * a code and the state, until it resolves; then a bare fetch of the same faked token endpoint,
 * which is most of the callback's time. The callback URL is passed rather than put in the address
 * bar: under Playwright's routes, a fetch soon after a history change waits ~2× longer (a bare
 * fetch too), which would be charged to latchkey.
 *
 * @param {{ config: typeof CONFIG, tokenEndpoint: string, warmup: number, runs: number }} options
 */
const timeLoginAndCallback = async ({ config, tokenEndpoint, warmup, runs }) => {
  let navigatedAt = 0
  let authorizeUrl = ''
  const auth = window.Latchkey.createClient({
    ...config,
    redirectUri: `${location.origin}/callback`,
    navigate: (url) => {
      navigatedAt = performance.now()
      authorizeUrl = url
    },
  })
  /** @type {Record<'login' | 'callback' | 'fetch', number[]>} */
  const times = { login: [], callback: [], fetch: [] }
  for (let run = -warmup; run < runs; run++) {
    const loginStart = performance.now()
    await auth.login()
    const loginTime = navigatedAt - loginStart

    const query = new URL(authorizeUrl).searchParams
    const callbackUrl = `${location.origin}/callback?code=code.${query.get('nonce')}&state=${query.get('state')}`
    const callbackStart = performance.now()
    const { tokens } = await auth.handleRedirectCallback(callbackUrl)
    const callbackTime = performance.now() - callbackStart
    if (!tokens.accessToken) throw new Error('the callback got no access token')

    const fetchStart = performance.now()
    await (await fetch(tokenEndpoint, { method: 'POST', body: new URLSearchParams() })).json()
    const fetchTime = performance.now() - fetchStart

    if (run >= 0) {
      times.login.push(loginTime)
      times.callback.push(callbackTime)
      times.fetch.push(fetchTime)
    }
  }
  return { times, crossOriginIsolated }
}

/** @param {number} ms */
const formatMs = (ms) => `${ms.toFixed(3)} ms`

/** @param {string} step @param {number[]} values */
const flowRow = (step, values) => [
  step,
  formatMs(median(values)),
  formatMs(quantile(values, 0.9)),
  String(values.length),
]

const cpuModel = async () => {
  const cpuinfo = await readFile('/proc/cpuinfo', 'utf8').catch(() => '')
  return /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? 'unknown CPU'
}

const main = async () => {
  await readFile(IIFE).catch(() => {
    throw new Error('dist/latchkey.iife.js is missing: run `npm run build` first')
  })
  const started = Date.now()
  const loadAverage = loadavg()[0].toFixed(2)

  console.log('Bundling every entry…')
  const sizeTable = await measureSizes()
  console.log(`\n${sizeTable}\n`)

  const server = await startServer()
  const browser = await launchChromium()
  try {
    console.log('Running each same-job entry through the job in Chromium…')
    for (const { job, file } of ENTRIES) {
      if (job === 'same job') await checkEntry(browser, server.origin, file)
    }

    console.log('PKCE pairs in Node…')
    const pkceFiles = ['latchkey-pkce.js', 'pkce-floor.js']
    const nodeRates = await timePkcePairs({
      urls: pkceFiles.map((file) => pathToFileURL(join(OUT, file)).href),
      block: PKCE_BLOCK,
      warmup: PKCE_WARMUP,
      blocks: PKCE_BLOCKS,
    })

    const page = await browser.newPage()
    await page.route(`${ISSUER}**`, fakeAuthorizationServer([]))
    await page.goto(`${server.origin}/`)

    console.log('PKCE pairs in Chromium…')
    const chromiumRates = await page.evaluate(timePkcePairs, {
      urls: pkceFiles.map((file) => `${server.origin}/entries/${file}`),
      block: PKCE_BLOCK,
      warmup: PKCE_WARMUP,
      blocks: PKCE_BLOCKS,
    })
    const pkceTable = markdownTable(
      ['runtime', 'latchkey pairs/s', 'floor pairs/s', 'latchkey / floor', '95 % interval'],
      [pkceRow(`Node ${process.version}`, nodeRates), pkceRow('Chromium', chromiumRates)],
      ['left', 'right', 'right', 'right', 'right'],
    )
    console.log(`\n${pkceTable}\n`)

    console.log('login() and handleRedirectCallback() in Chromium…')
    const flow = await page.evaluate(timeLoginAndCallback, {
      config: CONFIG,
      tokenEndpoint: TOKEN_ENDPOINT,
      warmup: FLOW_WARMUP,
      runs: FLOW_RUNS,
    })
    const ownWork = flow.times.callback.map((time, run) => time - flow.times.fetch[run])
    const flowTable = markdownTable(
      ['step (in the page, performance.now())', 'median', 'p90', 'runs'],
      [
        flowRow('login() → navigate(authorizeUrl)', flow.times.login),
        flowRow(
          'handleRedirectCallback(url), token request faked by page.route',
          flow.times.callback,
        ),
        flowRow('bare fetch() of the same faked token endpoint', flow.times.fetch),
        flowRow('callback minus bare fetch, run by run: latchkey’s own work', ownWork),
      ],
      ['left', 'right', 'right', 'right'],
    )
    console.log(`\n${flowTable}\n`)

    const results = `# latchkey bench results

Measured on ${new Date().toISOString().slice(0, 10)} with \`node bench/run.mjs\` (${Math.round((Date.now() - started) / 1000)} s).

- Machine: ${availableParallelism()} CPUs, ${await cpuModel()}, Linux ${release()}
- Node ${process.version}, Chromium ${browser.version()}, esbuild ${esbuild.version}
- latchkey ${await latchkeyVersion()}; the peers as pinned in bench/package.json

## Size

Each entry in bench/entries does the same job with one library, as its documentation shows:
configure; log in with PKCE and state; handle the callback and exchange the code; get an access
token, refreshing it when expired. Before being measured, each was run through that job in
Chromium against a faked authorization server (authorize, code exchange, clean address bar,
refresh after expiry), so none is small by skipping a step. Bundled by esbuild with \`--bundle --minify --format=esm
--platform=browser --target=es2020\` (as scripts/size.mjs does); gzip level 9, brotli quality 11.
The \`<script>\` bundle is measured as \`npm run build\` makes it.

"latchkey low-level functions, app keeps state" is written the way the oauth4webapi and
@badgateway entries are: the app stores the verifier, state and nonce across the redirect and
holds the tokens, and latchkey builds the requests and checks the response, \`iss\` and the ID
token's claims. \`createClient\` does all of that itself, and also keeps single-use transactions
with a TTL, shares one refresh among callers, honours \`Retry-After\`, and carries \`logout\`,
\`fetch\` and discovery, which no same-job entry needs but every \`createClient\` app gets.

"Everything auth0-spa-js offers" sets the same auth0-spa-js bundle (its one entry carries
cross-tab refresh locks, popup and silent login and DPoP whether an app uses them or not) beside
latchkey's core with every browser add-on imported and used (bench/entries/latchkey-everything.js:
\`syncTabs()\`, \`dpop({ persist: true })\`, \`restoreSession\`, \`loginWithPopup\`,
\`authenticateSilently\`, \`auth.fetch\`, \`logout\`). That row is measured, not run through a job.

${sizeTable}

## Speed: PKCE pairs

A pair is a code verifier and its S256 challenge, made one after the other as an app makes them.
latchkey and the floor each made ${PKCE_BLOCKS.toLocaleString('en-US')} blocks of ${PKCE_BLOCK} pairs, their blocks alternating (after
${PKCE_WARMUP} warm-up blocks each), so a shared machine's drifting load (1-minute load average at
the start: ${loadAverage}) falls on both alike. Pairs/s come from the median block time, which
ignores the blocks a stall hit; latchkey / floor is the ratio of the two, with a 95 % bootstrap
interval. The floor is bench/entries/pkce-floor.js: \`crypto.getRandomValues\`,
\`crypto.subtle.digest\` and base64url inline, no checks.

${pkceTable}

## Speed: login and callback in Chromium

The page loads dist/latchkey.iife.js from a localhost server and runs createClient with an
Auth0-style \`domain\` (no discovery). login() is timed until it calls \`navigate\` with the
authorize URL; handleRedirectCallback(url) until it resolves, with the token request answered by
Playwright's \`page.route\` (an ID token whose claims pass latchkey's checks). That interception
costs a round trip to Node, so a bare \`fetch()\` of the same route is timed too. The callback URL
is passed as an argument: under \`page.route\` any fetch soon after a history change (as the
default, \`location.href\`, makes when it strips the address bar) waits about twice as long for
Playwright, which would be charged to latchkey. ${FLOW_RUNS} runs after
${FLOW_WARMUP} warm-up ones; cross-origin isolated: ${flow.crossOriginIsolated} (timer resolution
${flow.crossOriginIsolated ? '5 µs' : '100 µs'}).

${flowTable}
`
    await writeFile(join(BENCH, 'RESULTS.md'), results)
    console.log('Wrote bench/RESULTS.md')
  } finally {
    await browser.close()
    server.close()
  }
}

main().catch((error) => {
  console.error(`bench: ${error.message}`)
  process.exitCode = 1
})
