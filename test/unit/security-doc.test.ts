/**
 * docs/security.md maps each of the 18 rules to tests by file and name. This keeps the map true:
 * every rule has a row, and every test a row names exists in the file it names.
 */
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'

// Paths, not URLs: happy-dom replaces the global URL, which node:fs does not take.
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..')
const doc = readFileSync(join(ROOT, 'docs/security.md'), 'utf8')
const rows = doc.split('\n').filter((line) => /^\| \d+ \|/.test(line))

/** The string literals of a source file ('…', "…", `…` with `${…}` kept as written). */
const literals = (source: string): string[] =>
  [...source.matchAll(/'((?:\\.|[^'\\\n])*)'|"((?:\\.|[^"\\\n])*)"|`((?:\\.|[^`\\])*)`/g)].map(
    (m) => (m[1] ?? m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1'),
  )

/**
 * Does a test name as the doc writes it match a literal? `${…}` in the source matches anything;
 * a name ending in … is a prefix.
 */
const matches = (name: string, literal: string): boolean => {
  const prefix = name.endsWith(' …')
  const wanted = prefix ? name.slice(0, -2) : name
  const pattern = literal
    .split(/\$\{[^}]*\}/)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.+?')
  return new RegExp(`^${pattern}${prefix ? '' : '$'}`).test(wanted) || literal.startsWith(wanted)
}

/** Every `file` › "name", "name" reference in a row. */
const references = (row: string): [string, string][] =>
  [
    ...row.matchAll(
      /`((?:unit|e2e|browser)\/[^`]+)` › ((?:"(?:\\.|[^"\\])*"(?: \([^)]*\))?(?:, )?)+)/g,
    ),
  ].flatMap(([, file, names]) =>
    [...(names ?? '').matchAll(/"((?:\\.|[^"\\])*)"/g)].map(([, name]): [string, string] => [
      file as string,
      (name ?? '').replace(/\\(.)/g, '$1'),
    ]),
  )

describe('docs/security.md', () => {
  test('has one row per rule, 1 to 24, each naming at least one unit test', () => {
    expect(rows.map((row) => Number(row.split('|')[1]))).toEqual(
      Array.from({ length: 24 }, (_, i) => i + 1),
    )
    for (const row of rows) {
      expect(
        references(row).filter(([file]) => file.startsWith('unit/')).length,
        row,
      ).toBeGreaterThan(0)
    }
  })

  test.each(rows.flatMap(references))('names a test that exists: %s › %s', (file, name) => {
    const source = readFileSync(join(ROOT, 'test', file), 'utf8')
    expect(literals(source).some((literal) => matches(name, literal))).toBe(true)
  })
})
