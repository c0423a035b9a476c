/**
 * The example against the BUILT package (run `npm run build` first), as an app installing
 * latchkey would get it: `latchkey` and `latchkey/react` are aliased to dist/. With `npm start`
 * running the local authorization server on port 4000, `npx vite examples/react` serves the app
 * on http://localhost:5173, a redirect URI the local server already allows.
 */
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

const dist = (file: string) => fileURLToPath(new URL(`../../dist/${file}`, import.meta.url))

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  resolve: {
    alias: [
      { find: /^latchkey$/, replacement: dist('latchkey.js') },
      { find: /^latchkey\/react$/, replacement: dist('react.js') },
    ],
  },
  server: {
    port: 5173,
    strictPort: true,
    // The app's own backend, in a real app; here the local server's demo API.
    proxy: { '/api': 'http://localhost:4000' },
  },
})
