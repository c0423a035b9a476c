/**
 * Finds and launches Firefox for puppeteer-core-driven tests, over WebDriver BiDi, headless.
 * No browser is ever downloaded: a system Firefox (Debian's `firefox-esr`) is used.
 *
 * @module
 */
import puppeteer from 'puppeteer-core'
import { findBrowser, onPath } from './find-browser.mjs'

const HOW_TO_GET_ONE = 'No Firefox found: set FIREFOX_PATH, or run `apt-get install firefox-esr`.'

/**
 * The Firefox executable, in this order: env `FIREFOX_PATH`, `/usr/bin/firefox-esr`,
 * `firefox-esr` and `firefox` on PATH.
 *
 * @returns {string}
 * @throws {Error} With one line saying how to get a Firefox when there is none.
 */
export function findFirefox() {
  return findBrowser({
    envVar: 'FIREFOX_PATH',
    candidates: [
      () => '/usr/bin/firefox-esr',
      () => onPath('firefox-esr'),
      () => onPath('firefox'),
    ],
    howToGetOne: HOW_TO_GET_ONE,
  })
}

/**
 * Launches a headless Firefox through puppeteer-core (WebDriver BiDi, a temporary profile).
 * Firefox's own defaults are kept (third-party cookies partitioned, as users have them).
 *
 * @param {import('puppeteer-core').LaunchOptions} [overrides]
 * @returns {Promise<import('puppeteer-core').Browser>}
 */
export function launchFirefox(overrides = {}) {
  return puppeteer.launch({
    browser: 'firefox',
    executablePath: findFirefox(),
    headless: true,
    ...overrides,
  })
}
