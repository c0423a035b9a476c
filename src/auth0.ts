/**
 * Auth0's dialect of OAuth, in one place: its fixed endpoint paths under a tenant's domain and
 * the issuer it puts in tokens (with a trailing slash). Its logout endpoint, `/v2/logout`, takes
 * `returnTo` where OIDC RP-Initiated Logout says `post_logout_redirect_uri`
 * ({@link buildEndSessionUrl}'s `style`).
 */
import type { Endpoints } from './options.js'

/** What `domain` implies: Auth0's endpoints and issuer. */
export interface Auth0Server extends Endpoints {
  /** `https://{domain}/`: Auth0's issuer ends with a slash. */
  issuer: string
  /** Auth0's `/v2/logout` names its parameters its own way. */
  endSessionStyle: 'auth0'
}

/** Auth0's endpoints for a tenant or custom domain, given with or without `https://`. */
export const auth0Server = (domain: string): Auth0Server => {
  const base = `https://${domain.replace(/^https:\/\/|\/$/g, '')}`
  return {
    authorization: `${base}/authorize`,
    token: `${base}/oauth/token`,
    endSession: `${base}/v2/logout`,
    revocation: `${base}/oauth/revoke`,
    issuer: `${base}/`,
    endSessionStyle: 'auth0',
  }
}
