/**
 * `latchkey/dpop`: tokens bound to a key only this browser holds (RFC 9449), and a session that
 * survives a reload. See {@link dpop}.
 *
 * @module
 */
export { type DpopOptions, dpop } from './dpop.js'
