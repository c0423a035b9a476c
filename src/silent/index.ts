/**
 * `latchkey/silent`: bring a session back at page start without a redirect. See
 * {@link restoreSession}.
 *
 * @module
 */
export { type RestoreSessionOptions, restoreSession } from './restore-session.js'
