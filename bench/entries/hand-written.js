// The floor for the whole job: the flow written by hand with WebCrypto and fetch, no checks
// beyond state (no error handling, no ID token checks, no timeouts, no single-flight refresh).
const authority = 'https://tenant.auth0.com'
const clientId = 'abc123'
const redirectUri = `${location.origin}/callback`
let tokens

const base64url = (bytes) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')
const random = () => base64url(crypto.getRandomValues(new Uint8Array(32)))

const requestTokens = async (grant) => {
  const response = await fetch(`${authority}/oauth/token`, {
    method: 'POST',
    body: new URLSearchParams({ client_id: clientId, ...grant }),
  })
  const json = await response.json()
  tokens = { ...json, expiresAt: Date.now() + json.expires_in * 1000 }
  return tokens.access_token
}

export const login = async () => {
  const codeVerifier = random()
  const state = random()
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(codeVerifier))
  sessionStorage.setItem('oauth', JSON.stringify({ codeVerifier, state }))
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri,
    scope: 'openid profile email offline_access',
    audience: 'https://api.example.com',
    state,
    code_challenge: base64url(new Uint8Array(digest)),
    code_challenge_method: 'S256',
  })
  location.assign(`${authority}/authorize?${query}`)
}

export const handleCallback = () => {
  const params = new URL(location.href).searchParams
  const { codeVerifier, state } = JSON.parse(sessionStorage.getItem('oauth'))
  sessionStorage.removeItem('oauth')
  if (params.get('state') !== state) throw new Error('state mismatch')
  history.replaceState(null, '', location.pathname)
  return requestTokens({
    grant_type: 'authorization_code',
    code: params.get('code'),
    redirect_uri: redirectUri,
    code_verifier: codeVerifier,
  })
}

export const getAccessToken = () =>
  Date.now() < tokens.expiresAt
    ? tokens.access_token
    : requestTokens({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token })
