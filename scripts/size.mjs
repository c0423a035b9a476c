/**
 * The byte budgets: run by `npm test` after the build, so latchkey cannot grow past what its
 * README promises without a test failing.
 *
 * Each budget in the root package.json's `sizeBudgets` names either an `entry` (a small file that
 * imports part of latchkey from src/, bundled here the way an app's bundler would, so only what
 * it reaches counts) or a built `file` (measured as is), and a limit in bytes for any of `raw`,
 * `gzip`, `brotli`. An `entry` may list `external` imports left out of its bundle, as bare
 * specifiers (`react`) or paths from the package root (`./src/index.ts`, matched once resolved):
 * an add-on's row then counts the add-on alone, not React or the core an app has anyway. The
 * README's size table, between `<!-- size:start -->` and `<!-- size:end -->`, must show the same
 * numbers (its padding may differ); without those markers it is not checked, and the table to
 * paste is printed.
 *
 * Zero cost: a budget with `"coreOnly": true` fails when any add-on module (`src/tabs/`,
 * `src/popup/`, `src/silent/`, `src/dpop/`, `src/react/`) reaches its bundle, and one with
 * `"exact": true` pins its `raw` size to the byte, so an add-on that makes the core ship one byte
 * more fails `npm test` (a deliberate change to the core updates the pin in the same commit).
 *
 *   node scripts/size.mjs            check the budgets and the README table
 *   node scripts/size.mjs --write    also rewrite the README table from this measurement
 *   node scripts/size.mjs --analyze  also show where each bundle's bytes go
 *
 * @module
 */
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as esbuild from 'esbuild'
import { BUNDLE_OPTIONS, formatBytes, markdownTable, sizesOf } from './bundle-size.mjs'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const README = join(ROOT, 'README.md')
const START = '<!-- size:start -->'
const END = '<!-- size:end -->'
/** @type {(keyof import('./bundle-size.mjs').Sizes)[]} */
const LIMITS = ['raw', 'gzip', 'brotli']
const SHOW_STRINGS = 10

const args = new Set(process.argv.slice(2))
const unknown = [...args].filter((arg) => arg !== '--write' && arg !== '--analyze')
if (unknown.length > 0) {
  console.error(`size: unknown argument ${unknown.join(' ')}; use --write or --analyze`)
  process.exit(2)
}

/**
 * @typedef {object} Budget
 * @property {string} name how the README and the table call it
 * @property {string} [entry] a file bundled with {@link BUNDLE_OPTIONS}
 * @property {string} [file] a built file, measured as is
 * @property {string[]} [external] imports an `entry` leaves out of its bundle
 * @property {number} [raw]
 * @property {number} [gzip]
 * @property {number} [brotli]
 * @property {boolean} [coreOnly] no add-on module may reach the bundle
 * @property {boolean} [exact] `raw` is the exact size, not a limit
 */

/** Where the add-ons live: none of it may reach a bundle that imports only the core. */
const ADD_ON = /(^|\/)src\/(tabs|popup|silent|dpop|react)\//

/**
 * The budgets from package.json, checked for shape so a typo fails loudly instead of turning a
 * limit off.
 *
 * @returns {Promise<Budget[]>}
 */
const readBudgets = async () => {
  const { sizeBudgets } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'))
  if (!Array.isArray(sizeBudgets) || sizeBudgets.length === 0) {
    throw new Error(
      'package.json has no "sizeBudgets" array: add one, e.g. ' +
        '"sizeBudgets": [{ "name": "PKCE", "entry": "bench/entries/latchkey-pkce.js", "brotli": 400 }]',
    )
  }
  for (const budget of sizeBudgets) {
    const where = `sizeBudgets entry ${JSON.stringify(budget)}`
    if (typeof budget?.name !== 'string' || !budget.name) throw new Error(`${where} needs a "name"`)
    if (typeof budget.entry === typeof budget.file)
      throw new Error(`${where} needs either "entry" or "file", as a path from the package root`)
    if (
      'external' in budget &&
      (!budget.entry ||
        !Array.isArray(budget.external) ||
        !budget.external.every((/** @type {unknown} */ name) => typeof name === 'string' && name))
    )
      throw new Error(`${where}: "external" must be a list of imports, and only beside "entry"`)
    const known = new Set(['name', 'entry', 'file', 'external', 'coreOnly', 'exact', ...LIMITS])
    const stray = Object.keys(budget).filter((key) => !known.has(key))
    if (stray.length > 0)
      throw new Error(
        `${where} has unknown keys ${stray.join(', ')}; limits are ${LIMITS.join(', ')}`,
      )
    if (budget.exact && !budget.raw) throw new Error(`${where}: "exact" pins "raw", so set it`)
    if (budget.coreOnly && !budget.entry) throw new Error(`${where}: "coreOnly" needs an "entry"`)
    const limits = LIMITS.filter((kind) => kind in budget)
    if (limits.length === 0) throw new Error(`${where} sets no limit (${LIMITS.join(', ')})`)
    for (const kind of limits) {
      if (!Number.isInteger(budget[kind]) || budget[kind] <= 0)
        throw new Error(`${where}: "${kind}" must be a whole number of bytes`)
    }
  }
  return sizeBudgets
}

/**
 * @param {Budget} budget
 * @returns {Promise<{ bytes: Uint8Array, metafile?: import('esbuild').Metafile }>}
 */
const build = async (budget) => {
  if (budget.file) {
    const path = join(ROOT, budget.file)
    try {
      return { bytes: await readFile(path) }
    } catch {
      throw new Error(`${budget.file} is missing: run \`npm run build\` first`)
    }
  }
  const { outputFiles, metafile } = await esbuild.build({
    ...BUNDLE_OPTIONS,
    absWorkingDir: ROOT,
    entryPoints: [/** @type {string} */ (budget.entry)],
    external: budget.external ?? [],
  })
  return { bytes: outputFiles[0].contents, metafile }
}

/** @param {Budget} budget */
const describeLimits = (budget) =>
  LIMITS.filter((kind) => kind in budget)
    .map(
      (kind) =>
        `${kind} ${budget.exact && kind === 'raw' ? '=' : '≤'} ${formatBytes(/** @type {number} */ (budget[kind]))}`,
    )
    .join(', ')

/**
 * The string literals of a bundle, longest first: in a minified bundle, names are already short,
 * so messages are most of what can still be cut. TypeScript's parser tells strings from regular
 * expressions and comments, which a regular expression cannot.
 *
 * @param {string} code
 * @returns {Promise<string[]>}
 */
const longestStrings = async (code) => {
  const { default: ts } = await import('typescript')
  const source = ts.createSourceFile('bundle.js', code, ts.ScriptTarget.Latest, false)
  /** @type {string[]} */
  const found = []
  /** @param {import('typescript').Node} node */
  const visit = (node) => {
    // A template counts whole, with its placeholders, as it reads in the source.
    if (ts.isStringLiteralLike(node) || ts.isTemplateExpression(node))
      found.push(node.getText(source))
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found.sort((a, b) => b.length - a.length).slice(0, SHOW_STRINGS)
}

/**
 * A table's content without its padding: a formatter may re-pad the README's table, and that is
 * not drift.
 *
 * @param {string} table
 */
const withoutPadding = (table) =>
  table
    .split('\n')
    .map((line) =>
      line
        .trim()
        .replace(/ *\| */g, '|')
        .replace(/-{3,}/g, '---'),
    )
    .join('\n')

/**
 * Compares the README's size table with this measurement; with --write, replaces it.
 *
 * @param {string} table
 * @returns {Promise<string | undefined>} the problem, if any
 */
const checkReadme = async (table) => {
  const block = `${START}\n${table}\n${END}`
  const text = await readFile(README, 'utf8').catch(() => undefined)
  const start = text?.indexOf(START) ?? -1
  const end = text?.indexOf(END, start) ?? -1
  if (text === undefined || start < 0 || end < 0) {
    console.warn(
      `\nsize: warning: ${text === undefined ? 'there is no README.md' : `README.md has no ${START} … ${END} block`}, so its figures are not checked. Paste this where the sizes belong:\n\n${block}\n`,
    )
    return undefined
  }
  const current = text.slice(start, end + END.length)
  if (withoutPadding(current) === withoutPadding(block)) return undefined
  if (args.has('--write')) {
    await writeFile(README, text.slice(0, start) + block + text.slice(end + END.length))
    console.log('\nsize: README.md size table rewritten from this measurement')
    return undefined
  }
  return `README.md's size table differs from this measurement:\n\n${block}\n\nrun \`node scripts/size.mjs --write\` to update it`
}

const main = async () => {
  const budgets = await readBudgets()
  const measured = []
  for (const budget of budgets) measured.push({ budget, ...(await build(budget)) })

  const problems = []
  for (const { budget, metafile } of measured) {
    const addOns = Object.keys(metafile?.inputs ?? {}).filter((input) => ADD_ON.test(input))
    if (budget.coreOnly && addOns.length > 0)
      problems.push(`${budget.name}: add-on code reached a core-only bundle: ${addOns.join(', ')}`)
  }
  const rows = measured.map(({ budget, bytes }) => {
    const sizes = sizesOf(bytes)
    const over = LIMITS.filter((kind) => sizes[kind] > (budget[kind] ?? Infinity))
    if (budget.exact && sizes.raw !== budget.raw)
      problems.push(
        `${budget.name}: the core ships ${formatBytes(sizes.raw)} minified, pinned at ${formatBytes(/** @type {number} */ (budget.raw))}: an add-on must not change it; a deliberate core change updates "raw" in package.json`,
      )
    for (const kind of over) {
      const limit = /** @type {number} */ (budget[kind])
      problems.push(
        `${budget.name}: ${kind} is ${formatBytes(sizes[kind])}, over its budget of ${formatBytes(limit)} by ${formatBytes(sizes[kind] - limit)}`,
      )
    }
    return { budget, sizes, over }
  })

  const readmeTable = markdownTable(
    ['bundle', 'minified', 'gzip', 'brotli', 'budget'],
    rows.map(({ budget, sizes }) => [
      budget.name,
      ...LIMITS.map((kind) => formatBytes(sizes[kind])),
      describeLimits(budget),
    ]),
    ['left', 'right', 'right', 'right', 'left'],
  )
  console.log(
    markdownTable(
      ['budget', 'measured', 'minified', 'gzip', 'brotli', 'limit', 'result'],
      rows.map(({ budget, sizes, over }) => [
        budget.name,
        String(budget.entry ?? budget.file),
        ...LIMITS.map((kind) => formatBytes(sizes[kind])),
        describeLimits(budget),
        over.length > 0 ? `OVER (${over.join(', ')})` : 'ok',
      ]),
      ['left', 'left', 'right', 'right', 'right', 'left', 'left'],
    ),
  )

  if (args.has('--analyze')) {
    for (const { budget, bytes, metafile } of measured) {
      console.log(`\n## ${budget.name}`)
      if (metafile) console.log(await esbuild.analyzeMetafile(metafile))
      console.log(`Longest ${SHOW_STRINGS} string literals (bytes, quotes included):`)
      for (const literal of await longestStrings(new TextDecoder().decode(bytes)))
        console.log(`${String(literal.length).padStart(5)}  ${literal}`)
    }
  }

  const readmeProblem = await checkReadme(readmeTable)
  if (readmeProblem) problems.push(readmeProblem)
  if (problems.length > 0) {
    console.error(`\nsize: FAILED\n${problems.map((problem) => `- ${problem}`).join('\n')}`)
    process.exitCode = 1
  } else console.log('\nsize: every bundle is within its budget')
}

main().catch((error) => {
  console.error(`size: ${error.message}`)
  process.exitCode = 1
})
