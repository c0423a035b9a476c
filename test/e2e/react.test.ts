/**
 * latchkey/react in a real React app, in Chromium, against the local oidc-provider, on the BUILT
 * bundles: examples/react and docs/react.md's quick start are built with Vite (`latchkey` and
 * `latchkey/react` aliased to dist/, React in development mode so StrictMode runs every effect
 * twice), served from the app server, and signed in through the server's form.
 */
import { existsSync, readFileSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { BrowserContext, Page } from 'playwright-core'
import { build } from 'vite'
import { afterAll, afterEach, beforeAll, beforeEach, expect, test } from 'vitest'
import { type E2E, expectNoLeak, expectNoLeakEverywhere, startE2E } from '../support/e2e'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const EXAMPLE = join(ROOT, 'examples/react')
const BUILT = ['dist/latchkey.js', 'dist/react.js']

/** docs/react.md's first `language` block under "## Quick start", so the documented app cannot rot. */
const quickStart = (language: string): string => {
  const doc = readFileSync(join(ROOT, 'docs/react.md'), 'utf8')
  const section = doc.slice(doc.indexOf('## Quick start'))
  const match = section.match(new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``))
  if (!match?.[1]) throw new Error(`docs/react.md has no ${language} block under "## Quick start"`)
  return match[1]
}

/** Builds an app with the example's Vite config: the package resolved to dist/. */
const buildApp = (root: string, outDir: string, base: string, issuer: string) =>
  build({
    configFile: join(EXAMPLE, 'vite.config.ts'),
    root,
    base,
    mode: 'development',
    logLevel: 'warn',
    define: {
      // React's development build: StrictMode double-invokes effects only there.
      'process.env.NODE_ENV': '"development"',
      'import.meta.env.VITE_LATCHKEY_ISSUER': JSON.stringify(issuer),
    },
    build: { outDir, emptyOutDir: true, minify: false, sourcemap: false },
  })

let e2e: E2E
let out: string
let context: BrowserContext

beforeAll(async () => {
  const missing = BUILT.filter((file) => !existsSync(join(ROOT, file)))
  if (missing.length) throw new Error(`${missing.join(', ')} missing: run \`npm run build\` first`)
  // Inside the repository (test-results/ is ignored), so the builds find React in node_modules.
  await mkdir(join(ROOT, 'test-results'), { recursive: true })
  out = await mkdtemp(join(ROOT, 'test-results/react-e2e-'))
  e2e = await startE2E({}, {}, { pagesDir: join(out, 'example') })
  const { issuer } = e2e.server
  await buildApp(EXAMPLE, join(out, 'example'), '/', issuer)

  const source = quickStart('tsx')
  expect(source).toContain("'http://localhost:4000'")
  const quickStartDir = join(out, 'quick-start-src')
  await mkdir(quickStartDir)
  await writeFile(join(quickStartDir, 'index.html'), quickStart('html'))
  // Only what a reader's setup provides differs: the server's port.
  await writeFile(
    join(quickStartDir, 'main.tsx'),
    source.replace("'http://localhost:4000'", `'${issuer}'`),
  )
  await buildApp(quickStartDir, join(out, 'example/quick-start'), '/quick-start/', issuer)

  // A single-page app: every route is the same page.
  const page = (dir: string) => readFile(join(out, dir, 'index.html'), 'utf8')
  const example = await page('example')
  for (const path of ['/protected', '/callback']) e2e.app.setPage(path, example)
  e2e.app.setPage('/quick-start/', await page('example/quick-start'))
}, 60_000)
afterAll(async () => {
  await e2e?.close()
  if (out) await rm(out, { recursive: true, force: true })
})
beforeEach(async () => {
  context = await e2e.newContext()
})
// Rule 17: no code or token of the run anywhere but in memory (test/support/e2e.ts).
afterEach(() => expectNoLeakEverywhere(e2e, context))

const signInOnForm = async (page: Page, user: string) => {
  await page.waitForURL(/\/interaction\//)
  await page.fill('input[name=login]', user)
  await page.fill('input[name=password]', user)
  await page.click('button[type=submit]')
}

const tokenCounts = () => ({
  requests: e2e.server.stats.tokenRequests,
  exchanges: e2e.server.stats.token.authorization_code,
})

test('examples/react: RequireAuth signs in, useAuth().fetch calls the API, logout signs out', async () => {
  const { app, server } = e2e
  const page = await context.newPage()
  const before = tokenCounts()
  const logoutsBefore = server.stats.logout

  await page.goto(`${app.origin}/protected`)
  await signInOnForm(page, 'alice')
  await page.waitForURL(`${app.origin}/protected`)
  await page.getByText('Signed in as alice').waitFor()
  // One login, one token request, although StrictMode ran the provider's effect twice.
  expect(tokenCounts()).toEqual({
    requests: before.requests + 1,
    exchanges: before.exchanges + 1,
  })
  await expectNoLeak(page, context, [...e2e.issued.tokens])

  await page.getByRole('button', { name: 'Call the API' }).click()
  await expect
    .poll(() => page.textContent('#api-answer'))
    .toMatch(/^200 \{"sub":"alice","scheme":"Bearer","messages":/)
  expect(tokenCounts().requests).toBe(before.requests + 1)

  await page.getByRole('button', { name: 'Sign out' }).click()
  await page.waitForURL(`${app.origin}/`)
  await page.getByText('Signed out').waitFor()
  expect(server.stats.logout).toBe(logoutsBefore + 1)
  expect(await page.evaluate(() => Object.keys(sessionStorage))).toEqual([])
})

test('examples/react: a cancelled sign-in shows error.code and starts no other login', async () => {
  const { app, server } = e2e
  const page = await context.newPage()
  const before = tokenCounts()
  const authorizeRequests: string[] = []
  page.on('request', (request) => {
    // New authorization requests only: oidc-provider resumes at /authorize/<uid> after the form.
    if (request.url().startsWith(`${server.issuer}/authorize?`))
      authorizeRequests.push(request.url())
  })
  await page.goto(`${app.origin}/protected`)
  await page.waitForURL(/\/interaction\//)
  // The server's own Cancel link: the app gets error=access_denied (RFC 6749 §4.1.2.1).
  await page.getByRole('link', { name: 'Cancel' }).click()
  await page.getByText('Sign-in failed: authorization_error').waitFor()
  await page.waitForTimeout(300)
  expect(authorizeRequests).toHaveLength(1)
  expect(page.url()).toBe(`${app.origin}/callback`)
  expect(tokenCounts()).toEqual(before)
})

test("docs/react.md's quick start runs as written: sign in, load messages", async () => {
  const { app } = e2e
  app.setPage('/callback', await readFile(join(out, 'example/quick-start/index.html'), 'utf8'))
  const page = await context.newPage()
  const before = tokenCounts()
  await page.goto(`${app.origin}/quick-start/`)
  await signInOnForm(page, 'bob')
  await page.waitForURL(`${app.origin}/quick-start/`)
  await page.getByText('Signed in as bob').waitFor()
  expect(tokenCounts()).toEqual({
    requests: before.requests + 1,
    exchanges: before.exchanges + 1,
  })
  await page.getByRole('button', { name: 'Load messages' }).click()
  await expect
    .poll(() => page.textContent('pre'))
    .toMatch(/^\{"sub":"bob","scheme":"Bearer","messages":/)
})
