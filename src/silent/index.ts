/**
 * `latchkey/silent`: bring a session back without a redirect. See {@link restoreSession} and
 * {@link authenticateSilently}.
 *
 * @module
 */
export {
  type AuthenticateSilentlyOptions,
  authenticateSilently,
} from './authenticate-silently.js'
export { type RestoreSessionOptions, restoreSession } from './restore-session.js'
