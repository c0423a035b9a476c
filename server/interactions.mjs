/**
 * The sign-in step of the authorization flow (oidc-provider "interactions"), replacing
 * oidc-provider's devInteractions so that
 * - the password is really checked against the demo users,
 * - consent is implicit, as Auth0 does for first-party applications: one form, one click,
 * - the pages load nothing from the network.
 *
 * oidc-provider sends the browser to `/interaction/:uid` whenever it needs the user; the
 * interaction cookie it sets is scoped to that path, so the routes live under it.
 *
 * @module
 */
import { authenticate, DEMO_USERS } from './accounts.mjs'
import { errorPage, loginPage } from './pages.mjs'

const PREFIX = '/interaction/'
const MAX_FORM_BYTES = 4096

/**
 * What the provider remembers when the user has signed in. `consent: {}` resolves the consent
 * prompt too (it is only ever requested through `prompt=consent`, see auth0-dialect.mjs); the
 * scopes themselves are granted by `loadExistingGrant` in provider-config.mjs.
 *
 * @param {string} accountId
 */
const signedIn = (accountId) => ({ login: { accountId }, consent: {} })

/**
 * Reads a small application/x-www-form-urlencoded body.
 *
 * @param {import('node:http').IncomingMessage} req
 * @returns {Promise<URLSearchParams>}
 */
async function readForm(req) {
  const chunks = []
  let size = 0
  for await (const chunk of req) {
    size += chunk.length
    if (size > MAX_FORM_BYTES)
      throw Object.assign(new Error('form too large'), { status: 413, expose: true })
    chunks.push(chunk)
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
}

/**
 * Koa middleware serving the interaction routes in front of oidc-provider.
 *
 * @param {import('oidc-provider').default} provider
 * @returns {(ctx: import('koa').Context, next: () => Promise<void>) => Promise<void>}
 */
export function interactions(provider) {
  return async function interactionRoutes(ctx, next) {
    if (!ctx.path.startsWith(PREFIX)) return next()
    const [uid, action, ...rest] = ctx.path.slice(PREFIX.length).split('/')
    if (!uid || rest.length > 0 || (action !== undefined && action !== 'abort')) return next()

    ctx.set('Cache-Control', 'no-store')
    /**
     * @param {number} status
     * @param {string} description
     */
    const fail = (status, description) => {
      ctx.status = status
      ctx.type = 'html'
      ctx.body = errorPage({ error: 'invalid_request', error_description: description })
    }

    let details
    try {
      details = await provider.interactionDetails(ctx.req, ctx.res)
    } catch (error) {
      // No interaction cookie or an expired interaction: a stale tab or the back button.
      const { message } = /** @type {Error} */ (error)
      return fail(400, `${message}; start the sign-in again from the app`)
    }
    if (details.uid !== uid) {
      return fail(400, 'this sign-in page belongs to another request; start again from the app')
    }

    /**
     * Hands the result to oidc-provider, which continues the authorization request.
     *
     * @param {Record<string, unknown>} result
     * @param {boolean} [mergeWithLastSubmission] Keep what earlier steps resolved.
     */
    const finish = async (result, mergeWithLastSubmission = false) => {
      const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, {
        mergeWithLastSubmission,
      })
      ctx.status = 303
      ctx.redirect(returnTo)
    }

    const { name } = details.prompt
    if (ctx.method === 'GET' && action === 'abort') {
      // The user cancelled: the app gets error=access_denied (RFC 6749 §4.1.2.1).
      return finish({ error: 'access_denied', error_description: 'End-User aborted interaction' })
    }
    if (ctx.method === 'GET' && name === 'consent') return finish({ consent: {} }, true)
    if (name !== 'login') return fail(501, `the ${name} prompt is not supported here`)

    const client = await provider.Client.find(String(details.params.client_id))
    /**
     * @param {string | undefined} loginHint
     * @param {string} [error]
     */
    const renderLogin = (loginHint, error) => {
      ctx.type = 'html'
      ctx.body = loginPage({
        action: `${PREFIX}${uid}`,
        abortUrl: `${PREFIX}${uid}/abort`,
        clientName: client?.clientName ?? String(details.params.client_id),
        loginHint,
        error,
        users: DEMO_USERS,
      })
    }

    if (ctx.method === 'GET' && action === undefined) {
      const hint = details.params.login_hint
      return renderLogin(typeof hint === 'string' ? hint : undefined)
    }
    if (ctx.method === 'POST' && action === undefined) {
      const form = await readForm(ctx.req)
      const login = form.get('login') ?? ''
      const user = authenticate(login, form.get('password') ?? '')
      if (!user) {
        ctx.status = 401
        return renderLogin(login, 'Wrong username or password.')
      }
      return finish(signedIn(String(user.claims.sub)))
    }
    ctx.set('Allow', action === undefined ? 'GET, POST' : 'GET')
    return fail(405, `${ctx.method} is not allowed here`)
  }
}
