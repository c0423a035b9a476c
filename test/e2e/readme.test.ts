import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { type E2E, startE2E } from '../support/e2e'

let e2e: E2E
beforeAll(async () => {
  e2e = await startE2E()
})
afterAll(() => e2e?.close())

/** The README's first code block after a heading, so the documented example cannot rot. */
const readmeBlock = (heading: string, language: string): string => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
  const section = readme.slice(readme.indexOf(`## ${heading}`))
  const match = section.match(new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``))
  if (!match?.[1]) throw new Error(`README has no ${language} block under "## ${heading}"`)
  return match[1]
}

test("the README's quick start runs as written against the local server", async () => {
  const { app, server } = e2e
  const quickStart = readmeBlock('Quick start', 'js')
  expect(quickStart).toContain("from 'latchkey'")
  expect(quickStart).toContain("'http://localhost:4000'")
  // Only the two things a reader's setup provides differ: the package's location and the server's port.
  const module = quickStart
    .replace("from 'latchkey'", "from '/dist/latchkey.js'")
    .replace("'http://localhost:4000'", `'${server.issuer}'`)
  app.setPage(
    '/callback',
    `<!doctype html><script type="module">${module}
window.readme = { status: response.status, body: await response.json() }</script>`,
  )
  const context = await e2e.newContext()
  const page = await context.newPage()
  await page.goto(`${app.origin}/callback`)
  await page.waitForURL(/\/interaction\//)
  await page.fill('input[name=login]', 'bob')
  await page.fill('input[name=password]', 'bob')
  await page.click('button[type=submit]')
  await page.waitForFunction(() => (window as unknown as { readme?: unknown }).readme)
  const result = await page.evaluate(() => (window as unknown as { readme: unknown }).readme)
  expect(result).toMatchObject({ status: 200, body: { sub: 'bob' } })
  expect(page.url()).toBe(`${app.origin}/callback`)
})
