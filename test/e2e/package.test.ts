/**
 * The package as an app gets it: `npm pack` the repo, install the tarball into an empty app
 * (offline: latchkey has no dependencies), and use it from there in Node, in TypeScript and in
 * Chromium against the local authorization server. It tests the built dist/ (npm test builds
 * before it runs vitest) and what `files` and `exports` in package.json make of it.
 */
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startAuthServer } from '../../server/auth-server.mjs'
import { startAppServer } from '../support/app-server.mjs'
import { blockExternal, launchChromium } from '../support/chromium.mjs'
import { appReady, signIn } from '../support/e2e'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc')
const BUILT = [
  'dist/latchkey.js',
  'dist/latchkey.iife.js',
  'dist/index.d.ts',
  'dist/tabs.js',
  'dist/tabs/index.d.ts',
  'dist/dpop.js',
  'dist/dpop/index.d.ts',
  'dist/silent.js',
  'dist/silent/index.d.ts',
  'dist/popup.js',
  'dist/popup/index.d.ts',
  'dist/react.js',
  'dist/react/index.d.ts',
]

/** What `npm pack --json` says about one tarball. */
interface PackResult {
  filename: string
  files: { path: string }[]
}

/** Runs a command; resolves with its output whatever its exit code, so a test can show both. */
const run = (command: string, args: string[], cwd: string) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(command, args, { cwd, timeout: 20_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0
      resolve({ code, stdout, stderr })
    })
  })

/** Like {@link run}, but a non-zero exit fails with the command's own output. */
const runOk = async (command: string, args: string[], cwd: string): Promise<string> => {
  const result = await run(command, args, cwd)
  if (result.code !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.code}:\n${result.stderr}`)
  }
  return result.stdout
}

let temp: string
let appDir: string
let installed: string
let pack: PackResult

beforeAll(async () => {
  const missing = BUILT.filter((file) => !existsSync(join(ROOT, file)))
  if (missing.length) {
    throw new Error(
      `${missing.join(', ')} missing: run \`npm run build\` first (npm test builds before vitest)`,
    )
  }
  temp = await mkdtemp(join(tmpdir(), 'latchkey-package-'))
  const packed = await runOk('npm', ['pack', '--json', '--pack-destination', temp], ROOT)
  pack = (JSON.parse(packed) as PackResult[])[0] as PackResult
  appDir = join(temp, 'app')
  await mkdir(appDir)
  await writeFile(
    join(appDir, 'package.json'),
    JSON.stringify({ name: 'latchkey-consumer', private: true, type: 'module' }),
  )
  await runOk(
    'npm',
    ['install', '--no-audit', '--no-fund', '--offline', join(temp, pack.filename)],
    appDir,
  )
  installed = join(appDir, 'node_modules/latchkey')
})

afterAll(async () => {
  if (temp) await rm(temp, { recursive: true, force: true })
})

describe('the packed tarball', () => {
  test('holds only the build output, the manifest and the docs; installs no dependencies', async () => {
    const allowed = /^(dist\/([\w-]+\/)?[^/]+|package\.json|README\.md|LICENSE(\.\w+)?)$/
    const paths = pack.files.map((file) => file.path)
    expect(paths.filter((path) => !allowed.test(path))).toEqual([])
    expect(paths).toEqual(expect.arrayContaining([...BUILT, 'package.json', 'README.md']))

    const entries = (await readdir(installed)).sort()
    expect(entries.filter((entry) => !allowed.test(entry) && entry !== 'dist')).toEqual([])
    for (const absent of ['src', 'test', 'server', 'scripts', 'bench', 'playground']) {
      expect(entries).not.toContain(absent)
    }

    const manifest = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8'))
    for (const field of ['dependencies', 'optionalDependencies']) {
      expect(manifest[field], field).toBeUndefined()
    }
    // React only for latchkey/react, and optional: an app without React installs nothing more.
    expect(manifest.peerDependencies).toEqual({ react: '>=18' })
    expect(manifest.peerDependenciesMeta).toEqual({ react: { optional: true } })
    const modules = (await readdir(join(appDir, 'node_modules'))).filter((n) => !n.startsWith('.'))
    expect(modules).toEqual(['latchkey'])
  })
})

describe('in Node, imported by name from the installed package', () => {
  test('exports the public API and computes the RFC 7636 Appendix B challenge', async () => {
    const script = `
      import * as latchkey from 'latchkey'
      console.log(JSON.stringify({
        names: Object.keys(latchkey),
        challenge: await latchkey.createCodeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'),
        iife: import.meta.resolve('latchkey/latchkey.iife.js'),
        tabs: Object.keys(await import('latchkey/tabs')),
        silent: Object.keys(await import('latchkey/silent')),
        popup: Object.keys(await import('latchkey/popup')),
        dpop: Object.keys(await import('latchkey/dpop')),
      }))`
    const stdout = await runOk(process.execPath, ['--input-type=module', '-e', script], appDir)
    const result = JSON.parse(stdout) as {
      names: string[]
      challenge: string
      iife: string
      tabs: string[]
      silent: string[]
      popup: string[]
      dpop: string[]
    }
    // Each add-on is its own subpath; the core does not carry them.
    expect(result.tabs).toEqual(['syncTabs'])
    expect(result.silent).toEqual(['authenticateSilently', 'restoreSession'])
    expect(result.popup).toEqual(['loginWithPopup'])
    expect(result.dpop).toEqual(['dpop'])
    for (const addOn of ['syncTabs', 'loginWithPopup', 'authenticateSilently', 'dpop']) {
      expect(result.names).not.toContain(addOn)
    }
    expect(result.names).toEqual(
      expect.arrayContaining([
        'createClient',
        'isAuthError',
        'AuthError',
        'createCodeVerifier',
        'createCodeChallenge',
        'safeReturnTo',
        'decodeJwt',
        'createTokenStore',
        'buildAuthorizeUrl',
        'parseCallbackUrl',
        'exchangeCode',
        'refreshTokens',
        'createRandomState',
      ]),
    )
    expect(result.challenge).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM')
    expect(fileURLToPath(result.iife)).toBe(join(installed, 'dist/latchkey.iife.js'))
  })
})

describe('in TypeScript, type-checked against the installed declarations', () => {
  const consumer = `import { type AuthError, type ClientOptions, createClient, type TokenSet } from 'latchkey'
import { type DpopOptions, dpop } from 'latchkey/dpop'
import { type LoginWithPopupOptions, loginWithPopup } from 'latchkey/popup'
import { authenticateSilently, restoreSession } from 'latchkey/silent'
import { syncTabs } from 'latchkey/tabs'

const options: ClientOptions = {
  issuer: 'https://id.example.com',
  clientId: 'abc',
  redirectUri: 'https://app.example.com/callback',
}
const dpopOptions: DpopOptions = { persist: true }
const auth = createClient({
  ...options,
  tabs: syncTabs({ lockTimeoutSeconds: 5 }),
  dpop: dpop(dpopOptions),
})
export const restored: Promise<boolean> = restoreSession(auth, { silent: true, timeoutSeconds: 5 })
const popupOptions: LoginWithPopupOptions = { appState: { returnTo: '/' }, timeoutSeconds: 60 }
export const popupLogin = () => loginWithPopup(auth, popupOptions)
export const silentTokens: Promise<TokenSet> = authenticateSilently(auth, { audience: 'https://api' })
export const tokens: TokenSet | undefined = auth.getTokens()
export const describeError = (error: AuthError): string => \`\${error.code} \${error.error ?? ''}\`

// @ts-expect-error clientId and redirectUri are required: if this compiles, the types got too loose
createClient({})
`

  test.each([
    ['nodenext', 'nodenext'],
    ['esnext', 'bundler'],
  ])('--module %s --moduleResolution %s', async (module, moduleResolution) => {
    await writeFile(join(appDir, 'consumer.ts'), consumer)
    const result = await run(
      process.execPath,
      [
        TSC,
        '--noEmit',
        '--strict',
        '--exactOptionalPropertyTypes',
        '--target',
        'es2022',
        '--lib',
        'es2022,dom,dom.iterable',
        '--module',
        module,
        '--moduleResolution',
        moduleResolution,
        'consumer.ts',
      ],
      appDir,
    )
    expect(result.stdout + result.stderr).toBe('')
    expect(result.code).toBe(0)
  })
})

describe('in Chromium, served from the installed package, against the local server', () => {
  let app: Awaited<ReturnType<typeof startAppServer>>
  let server: Awaited<ReturnType<typeof startAuthServer>>
  let browser: Browser

  beforeAll(async () => {
    app = await startAppServer({ distDir: join(installed, 'dist') })
    server = await startAuthServer({
      port: 0,
      quiet: true,
      redirectUris: [`${app.origin}/iife.html`, `${app.origin}/esm.html`],
    })
    app.setApi(server.issuer)
    app.setConfig({
      issuer: server.issuer,
      clientId: server.clientId,
      audience: server.audience,
      options: { apiOrigins: [server.issuer] },
    })
    browser = await launchChromium()
  })

  afterAll(async () => {
    await browser?.close()
    await server?.close()
    await app?.close()
  })

  test.each([
    ['<script> file', 'iife.html', '/dist/latchkey.iife.js'],
    ['ES module', 'esm.html', '/dist/latchkey.js'],
  ])('a full login with the %s', async (_name, pageFile, bundle) => {
    const context = await browser.newContext()
    await blockExternal(context)
    try {
      const page = await context.newPage()
      await page.goto(`${app.origin}/${pageFile}`)
      await appReady(page)
      await signIn(page)
      await page.waitForURL(`${app.origin}/${pageFile}`)
      const state = await appReady(page)

      expect(state.error).toBeUndefined()
      expect(state.events).toEqual(['login'])
      expect(app.requests.some((line) => line.startsWith(`GET ${bundle} `))).toBe(true)
      const tokens = await page.evaluate(() => window.auth.getTokens())
      expect(tokens).toMatchObject({
        tokenType: 'Bearer',
        accessToken: expect.any(String),
        refreshToken: expect.any(String),
        idToken: expect.any(String),
      })
      expect(await page.evaluate(() => window.auth.getUser()?.sub)).toBe('alice')
      expect(page.url()).toBe(`${app.origin}/${pageFile}`)
    } finally {
      await context.close()
    }
  })
})
