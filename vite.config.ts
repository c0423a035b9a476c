import { playwright } from '@vitest/browser-playwright'
import type { LibraryFormats } from 'vite'
import { defineConfig } from 'vitest/config'

/**
 * Where Chromium is, for the browser project; read only when testing, so a build needs no
 * browser. Without one, that project fails at launch with Playwright's own message.
 */
const chromiumLaunchOptions = async () => {
  try {
    const { launchOptions } = await import('./test/support/chromium.mjs')
    return launchOptions()
  } catch {
    return {}
  }
}

const unit = {
  environment: 'happy-dom' as const,
  include: ['test/unit/**/*.test.{ts,tsx}'],
}

/**
 * `vite build` makes the ES modules, one per subpath export (readable: the app's bundler minifies them);
 * `vite build --mode iife` makes the minified `<script>` bundle with the global `Latchkey`.
 * Vitest runs four projects: unit tests with Node's WebCrypto and again with
 * @peculiar/webcrypto, real-browser tests in Chromium, and e2e tests on the built bundles.
 */
/** The package's ES entries, by output name: `dist/latchkey.js` and one per add-on subpath. */
const ADD_ON_ENTRIES = {
  latchkey: 'src/index.ts',
  dpop: 'src/dpop/index.ts',
  popup: 'src/popup/index.ts',
  react: 'src/react/index.ts',
  silent: 'src/silent/index.ts',
  tabs: 'src/tabs/index.ts',
}

const browserLaunchOptions = process.env.VITEST ? await chromiumLaunchOptions() : {}

export default defineConfig(({ mode }) => ({
  build: {
    emptyOutDir: mode !== 'iife',
    minify: mode === 'iife',
    sourcemap: true,
    target: 'es2020',
    rolldownOptions: {
      // React is the app's (an optional peer dependency), never bundled.
      external: ['react', 'react/jsx-runtime'],
      // No `Symbol.toStringTag` ('[object Module]') on window.Latchkey: bytes nobody reads.
      output: { generatedCode: { symbols: false }, chunkFileNames: 'shared/[name]-[hash].js' },
    },
    lib: {
      // One ES entry per subpath export; what they share becomes a chunk of its own, so an app
      // that imports `latchkey/tabs` or `latchkey/react` next to `latchkey` carries the core
      // once. The `<script>` bundle has the core and every browser add-on, and no React part.
      entry: mode === 'iife' ? 'src/browser.ts' : ADD_ON_ENTRIES,
      formats: [mode === 'iife' ? 'iife' : 'es'] satisfies LibraryFormats[],
      name: 'Latchkey',
      fileName: (format: string, entryName: string) =>
        format === 'iife' ? 'latchkey.iife.js' : `${entryName}.js`,
    },
  },
  test: {
    projects: [
      { test: { ...unit, name: 'unit' } },
      { test: { ...unit, name: 'unit-peculiar', setupFiles: ['test/support/peculiar-crypto.ts'] } },
      {
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            provider: playwright({
              launchOptions: browserLaunchOptions,
            }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
      {
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['test/e2e/**/*.test.ts', 'test/server/**/*.test.{ts,mjs}'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
    ],
  },
}))
