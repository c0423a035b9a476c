/**
 * Finds a browser installed on this machine, for the test drivers (chromium.mjs, firefox.mjs):
 * an environment variable first, then well-known paths and commands on PATH. No browser is ever
 * downloaded here.
 *
 * @module
 */
import { accessSync, constants, statSync } from 'node:fs'
import { delimiter, join } from 'node:path'

/** @param {string} path */
const isExecutable = (path) => {
  try {
    accessSync(path, constants.X_OK)
    return statSync(path).isFile()
  } catch {
    return false
  }
}

/**
 * @param {string} command
 * @returns {string | undefined} The command's path when it is on PATH.
 */
export const onPath = (command) =>
  (process.env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, command))
    .find(isExecutable)

/**
 * The first executable browser: `process.env[envVar]` when set (and then only it), else the
 * first candidate that gives an executable file.
 *
 * @param {object} where
 * @param {string} where.envVar e.g. `CHROMIUM_PATH`
 * @param {(() => string | undefined)[]} where.candidates tried in order
 * @param {string} where.howToGetOne one line for the error when there is none
 * @returns {string}
 * @throws {Error} With one line saying how to get the browser when there is none.
 */
export const findBrowser = ({ envVar, candidates, howToGetOne }) => {
  const fromEnv = process.env[envVar]
  if (fromEnv) {
    if (isExecutable(fromEnv)) return fromEnv
    throw new Error(`${envVar}=${fromEnv} is not an executable file. ${howToGetOne}`)
  }
  for (const candidate of candidates) {
    const path = candidate()
    if (path && isExecutable(path)) return path
  }
  throw new Error(howToGetOne)
}
