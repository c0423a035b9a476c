/**
 * How latchkey measures bytes, shared by the size budget check (scripts/size.mjs, in npm test)
 * and the comparison with peer libraries (bench/run.mjs), so both report the same numbers.
 *
 * @module
 */
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'

/**
 * esbuild options for an entry file: what an app's bundler does to an ES module import for
 * browsers. The peers' published sizes were taken with the same settings. Each caller passes its
 * own esbuild (the bench pins one beside the peers) so the numbers can be reproduced from its
 * lockfile.
 *
 * @type {import('esbuild').BuildOptions}
 */
export const BUNDLE_OPTIONS = {
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2020',
  write: false,
  metafile: true,
  logLevel: 'warning',
}

/**
 * @typedef {object} Sizes
 * @property {number} raw bytes as built
 * @property {number} gzip gzip level 9, as CDNs and `npm pack` compress
 * @property {number} brotli brotli quality 11, as CDNs serve static files
 */

/**
 * @param {Uint8Array} bytes
 * @returns {Sizes}
 */
export const sizesOf = (bytes) => ({
  raw: bytes.length,
  gzip: gzipSync(bytes, { level: 9 }).length,
  // Quality 11 is Node's default too; spelled out because the budgets depend on it.
  brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
})

/** @param {number} value */
export const formatBytes = (value) => `${value.toLocaleString('en-US')} B`

/**
 * A Markdown table, its columns padded as Biome formats Markdown, so the tables written into
 * README.md and bench/RESULTS.md pass `biome check` as they are. Readable in a terminal too.
 *
 * @param {string[]} header
 * @param {string[][]} rows
 * @param {('left' | 'right')[]} align one per column
 * @returns {string}
 */
export const markdownTable = (header, rows, align) => {
  /** @param {string} text */
  const width = (text) => [...text].length
  const widths = header.map((_, column) =>
    Math.max(3, ...[header, ...rows].map((cells) => width(cells[column] ?? ''))),
  )
  /** @param {string[]} cells */
  const line = (cells) =>
    `| ${widths
      .map((columnWidth, column) => {
        const text = cells[column] ?? ''
        const padding = ' '.repeat(columnWidth - width(text))
        return align[column] === 'right' ? padding + text : text + padding
      })
      .join(' | ')} |`
  const rule = widths.map((columnWidth, column) =>
    align[column] === 'right' ? `${'-'.repeat(columnWidth - 1)}:` : '-'.repeat(columnWidth),
  )
  return [line(header), line(rule), ...rows.map(line)].join('\n')
}
