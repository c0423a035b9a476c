/**
 * Demo end-users of the local authorization server. Development only: the passwords are public.
 *
 * @module
 */
import { createHash, timingSafeEqual } from 'node:crypto'

/**
 * @typedef {object} DemoUser
 * @property {string} username What the login form's `login` field takes; also the `sub` claim.
 * @property {string} password What the login form's `password` field takes.
 * @property {Record<string, unknown>} claims OpenID Connect standard claims (OIDC Core §5.1).
 */

/** @type {readonly DemoUser[]} */
export const DEMO_USERS = Object.freeze([
  {
    username: 'alice',
    password: 'alice',
    claims: {
      sub: 'alice',
      name: 'Alice Liddell',
      nickname: 'alice',
      email: 'alice@latchkey.test',
      email_verified: true,
    },
  },
  {
    username: 'bob',
    password: 'bob',
    claims: {
      sub: 'bob',
      name: 'Bob Builder',
      nickname: 'bob',
      email: 'bob@latchkey.test',
      // One unverified address, so apps can try their handling of `email_verified: false`.
      email_verified: false,
    },
  },
])

/** @param {string} value */
const digest = (value) => createHash('sha256').update(value).digest()

/**
 * Checks a username and password against the demo users.
 *
 * The digests are compared in constant time so that even this demo does not show the pattern
 * of an early-exit string comparison.
 *
 * @param {string} username
 * @param {string} password
 * @returns {DemoUser | undefined} The user, or undefined when the pair is wrong.
 */
export function authenticate(username, password) {
  const user = DEMO_USERS.find((candidate) => candidate.username === username)
  if (!user) return undefined
  return timingSafeEqual(digest(user.password), digest(password)) ? user : undefined
}

/**
 * oidc-provider's `findAccount`: resolves an account id (the `sub`) to its claims.
 *
 * oidc-provider filters the returned claims by the granted scopes (OIDC Core §5.4), so returning
 * every claim here is correct.
 *
 * @param {unknown} _ctx
 * @param {string} sub
 */
export async function findAccount(_ctx, sub) {
  const user = DEMO_USERS.find((candidate) => candidate.claims.sub === sub)
  if (!user) return undefined
  return {
    accountId: sub,
    claims: async () => ({ ...user.claims }),
  }
}
