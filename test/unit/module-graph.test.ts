// The shape of src/ as design.md draws it: data flows one way, the core never reaches an add-on,
// and general helpers never depend on specific protocol steps. Read from the sources' runtime
// imports (`import type` carries no code and no order).
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, normalize } from 'node:path'
import { describe, expect, test } from 'vitest'

// Vitest runs from the package root (happy-dom gives import.meta.url no file: scheme).
const SRC = join(process.cwd(), 'src')
const ADD_ONS = ['tabs', 'popup', 'silent', 'dpop', 'react']

const files = (dir: string): string[] =>
  readdirSync(join(SRC, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? files(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  )

/** Each module's runtime imports of other modules of src/, as paths from src/. */
const graph = new Map(
  files('').map((file) => {
    const source = readFileSync(join(SRC, file), 'utf8')
    const imports = [
      ...source.matchAll(/^(?:import|export)\s+(?!type\b)[^'"]*?from\s+'(\.[^']+)'/gm),
    ].map(([, specifier]) =>
      normalize(join(dirname(file), (specifier as string).replace(/\.js$/, '.ts'))),
    )
    return [file, imports]
  }),
)

const isCore = (file: string) => !ADD_ONS.some((addOn) => file.startsWith(`${addOn}/`))

describe('src/ module graph', () => {
  test('is read: every module is found and every import resolves to one', () => {
    expect(graph.size).toBeGreaterThan(40)
    for (const [file, imports] of graph) {
      for (const target of imports) expect(graph.has(target), `${file} → ${target}`).toBe(true)
    }
  })

  test('has no cycles', () => {
    const done = new Set<string>()
    const visit = (file: string, path: string[]) => {
      expect(path, `cycle: ${[...path, file].join(' → ')}`).not.toContain(file)
      if (done.has(file)) return
      for (const target of graph.get(file) ?? []) visit(target, [...path, file])
      done.add(file)
    }
    for (const file of graph.keys()) visit(file, [])
  })

  test('the core never imports an add-on (only the <script> bundle gathers them)', () => {
    const reach = [...graph]
      .filter(([file]) => isCore(file) && file !== 'browser.ts')
      .flatMap(([file, imports]) =>
        imports.filter((target) => !isCore(target)).map((t) => `${file} → ${t}`),
      )
    expect(reach).toEqual([])
  })

  test('general helpers depend on nothing specific (review: random.ts imported pkce.ts)', () => {
    const helpers = [
      'base64url.ts',
      'random.ts',
      'errors.ts',
      'query.ts',
      'defined.ts',
      'secure-url.ts',
    ]
    for (const helper of helpers) {
      const specific = (graph.get(helper) ?? []).filter((target) => !helpers.includes(target))
      expect(specific, helper).toEqual([])
    }
  })

  test('the client steps import only earlier steps: options → server → login → callback → tokens → refresh → fetch/logout', () => {
    const order = [
      'client/extension.ts',
      'client/server.ts',
      'client/token-holder.ts',
      'client/context.ts',
      'client/login.ts',
      'client/redirect-callback.ts',
      'client/admit.ts',
      'client/refresh.ts',
      'client/api-fetch.ts',
      'client/logout.ts',
      'client/create-client.ts',
    ]
    for (const [index, step] of order.entries()) {
      const later = (graph.get(step) ?? []).filter((target) => order.indexOf(target) > index)
      expect(later, `${step} imports a later step`).toEqual([])
    }
    expect(
      [...graph.keys()].filter((file) => file.startsWith('client/') && file !== 'client/client.ts'),
    ).toEqual(expect.arrayContaining(order))
  })
})
