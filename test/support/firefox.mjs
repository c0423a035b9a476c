/**
 * Finds and launches Firefox for puppeteer-core-driven tests, over WebDriver BiDi, headless.
 * No browser is ever downloaded: a system Firefox (Debian's `firefox-esr`) is used.
 *
 * @module
 */
import { accessSync, constants, statSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import puppeteer from 'puppeteer-core'

const HOW_TO_GET_ONE = 'No Firefox found: set FIREFOX_PATH, or run `apt-get install firefox-esr`.'

/** @param {string} path */
function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK)
    return statSync(path).isFile()
  } catch {
    return false
  }
}

/**
 * @param {string} command
 * @returns {string | undefined}
 */
function onPath(command) {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean)
  return dirs.map((dir) => join(dir, command)).find(isExecutable)
}

/**
 * The Firefox executable, in this order: env `FIREFOX_PATH`, `/usr/bin/firefox-esr`,
 * `firefox-esr` and `firefox` on PATH.
 *
 * @returns {string}
 * @throws {Error} With one line saying how to get a Firefox when there is none.
 */
export function findFirefox() {
  const fromEnv = process.env.FIREFOX_PATH
  if (fromEnv) {
    if (isExecutable(fromEnv)) return fromEnv
    throw new Error(`FIREFOX_PATH=${fromEnv} is not an executable file. ${HOW_TO_GET_ONE}`)
  }
  const candidates = [
    () => '/usr/bin/firefox-esr',
    () => onPath('firefox-esr'),
    () => onPath('firefox'),
  ]
  for (const candidate of candidates) {
    const path = candidate()
    if (path && isExecutable(path)) return path
  }
  throw new Error(HOW_TO_GET_ONE)
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
