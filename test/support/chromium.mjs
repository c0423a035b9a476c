/**
 * Finds and launches a Chromium for Playwright-driven tests.
 *
 * `playwright install` cannot download browsers on every machine (no internet in CI sandboxes),
 * so a system Chromium is preferred and Playwright's own download is the last resort.
 *
 * @module
 */
import { chromium } from 'playwright-core'
import { findBrowser, onPath } from './find-browser.mjs'

const HOW_TO_GET_ONE =
  'No Chromium found: set CHROMIUM_PATH, or run `apt-get install chromium` ' +
  'or `npx playwright install chromium`.'

/**
 * The Chromium executable to use, in this order: env `CHROMIUM_PATH`, `/usr/bin/chromium`,
 * `chromium-browser`, `chromium` and `google-chrome` on PATH, Playwright's downloaded Chromium.
 *
 * @returns {string}
 * @throws {Error} With one line saying how to get a Chromium when there is none.
 */
export function findChromium() {
  return findBrowser({
    envVar: 'CHROMIUM_PATH',
    candidates: [
      () => '/usr/bin/chromium',
      () => onPath('chromium-browser'),
      () => onPath('chromium'),
      () => onPath('google-chrome'),
      () => chromium.executablePath(),
    ],
    howToGetOne: HOW_TO_GET_ONE,
  })
}

/**
 * Launch options for `chromium.launch()` (Playwright already adds --headless, --no-sandbox and a
 * temporary profile). No GPU in containers; no QUIC, which only adds noise on localhost.
 *
 * @returns {{ executablePath: string, args: string[] }}
 */
export function launchOptions() {
  return { executablePath: findChromium(), args: ['--disable-gpu', '--disable-quic'] }
}

/**
 * Launches a headless Chromium through playwright-core.
 *
 * @param {import('playwright-core').LaunchOptions} [overrides]
 * @returns {Promise<import('playwright-core').Browser>}
 */
export function launchChromium(overrides = {}) {
  return chromium.launch({ ...launchOptions(), ...overrides })
}

/**
 * Aborts every request from the context to a host other than localhost or 127.0.0.1, so a test
 * never waits on the network (web fonts, analytics) and never leaks anything off the machine.
 *
 * @param {import('playwright-core').BrowserContext} context
 * @returns {Promise<void>}
 */
export function blockExternal(context) {
  return context.route(
    (url) => url.hostname !== 'localhost' && url.hostname !== '127.0.0.1',
    (route) => route.abort('blockedbyclient'),
  )
}
