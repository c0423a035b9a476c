import { AuthError, isAuthError } from '../index.js'

/**
 * The error as `useAuth().error` shows it: always an {@link AuthError}, so an app matches on
 * `code` alone. Only app code (`onRedirectCallback`, a custom `navigate`) or an add-on breaking
 * its contract throws anything else; that becomes `invalid_config` naming the option, the
 * original kept as `cause`.
 */
export const toAuthError = (error: unknown, option: string): AuthError =>
  isAuthError(error)
    ? error
    : new AuthError('invalid_config', `${option} threw: see cause`, { cause: error })
