import { auth0Server } from '../auth0.js'
import { discover } from '../discovery.js'
import type { ClientOptions } from '../options.js'

/** The authorization server as a client knows it, after discovery if there was any. */
export interface Server {
  /** The issuer identifier, compared exactly with `iss` (RFC 9207) and ID tokens. */
  issuer: string
  /** {@link Endpoints.authorization} */
  authorization?: string | undefined
  /** {@link Endpoints.token} */
  token?: string | undefined
  /** {@link Endpoints.endSession} */
  endSession?: string | undefined
  /** {@link Endpoints.revocation} */
  revocation?: string | undefined
  /** How the logout endpoint names its parameters: Auth0's, or OIDC's when left out. */
  endSessionStyle?: 'auth0' | undefined
  /** RFC 9207 §2.4: the server promised to send `iss`, so its absence is an attack. */
  requireIss?: boolean | undefined
}

/**
 * What a client's options say of its server without asking it: `domain` (Auth0's dialect) and
 * `endpoints`. The issuer never comes from `endpoints`, so no stray member replaces it.
 */
export const configuredServer = (options: ClientOptions): Server => {
  const auth0 = options.domain ? auth0Server(options.domain) : undefined
  return { ...auth0, ...options.endpoints, issuer: auth0?.issuer ?? (options.issuer as string) }
}

/**
 * The server of a client: as configured when that names both endpoints, else completed by
 * discovery, fetched once when first needed, shared by concurrent callers, and fetched again
 * after a failure.
 */
export const serverOf = (
  known: Server,
  options: ClientOptions,
): (() => Server | Promise<Server>) => {
  let discovered: Promise<Server> | undefined
  return () => {
    if (known.authorization && known.token) return known
    discovered ??= discover(known.issuer, options).then(
      (metadata): Server => ({
        authorization: metadata.authorization_endpoint,
        token: metadata.token_endpoint,
        endSession: metadata.end_session_endpoint,
        revocation: metadata.revocation_endpoint,
        ...known,
        requireIss: metadata.authorization_response_iss_parameter_supported,
      }),
      (error: unknown) => {
        discovered = undefined
        throw error
      },
    )
    return discovered
  }
}
