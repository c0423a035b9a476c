/**
 * `latchkey/popup`: log in in a popup window, the app's page staying where it is. See
 * {@link loginWithPopup}.
 *
 * @module
 */
export { type LoginWithPopupOptions, loginWithPopup } from './login-with-popup.js'
