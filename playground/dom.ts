import { type DecodedJwt, decodeJwt } from '../src/index'

type Child = Node | string | false | undefined

/**
 * Creates an element. Strings become text nodes, never HTML: server text such as
 * `error_description` is attacker-controllable and must not be parsed.
 */
export const h = <K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] => {
  const element = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value)
  element.append(...children.filter((child): child is Node | string => !!child))
  return element
}

/** `m:ss` or `h:mm:ss`. */
const formatDuration = (ms: number): string => {
  const seconds = Math.floor(ms / 1000)
  const [hours, minutes] = [Math.floor(seconds / 3600), Math.floor(seconds / 60) % 60]
  const ss = String(seconds % 60).padStart(2, '0')
  return hours ? `${hours}:${String(minutes).padStart(2, '0')}:${ss}` : `${minutes}:${ss}`
}

/** The local time of an epoch-ms instant, `HH:MM:SS`. */
export const clockTime = (ms: number): string => new Date(ms).toLocaleTimeString('en-GB')

const updateCountdown = (element: HTMLElement): void => {
  const left = Number(element.dataset.expiresAt) - Date.now()
  element.textContent = left > 0 ? `expires in ${formatDuration(left)}` : 'expired'
  element.classList.toggle('expired', left <= 0)
}

/** A live "expires in m:ss" label for an epoch-ms instant; {@link startCountdowns} keeps it current. */
export const countdown = (expiresAt: number): HTMLElement => {
  const element = h('span', { class: 'countdown', 'data-expires-at': String(expiresAt) })
  updateCountdown(element)
  return element
}

/** Ticks every countdown on the page once a second. */
export const startCountdowns = (): void => {
  setInterval(() => {
    for (const element of document.querySelectorAll<HTMLElement>('[data-expires-at]')) {
      updateCountdown(element)
    }
  }, 1000)
}

/** Pretty-printed JSON in a `<pre>`. */
export const jsonBlock = (value: unknown): HTMLElement =>
  h('pre', { class: 'json' }, JSON.stringify(value, null, 2))

/**
 * A token, decoded with latchkey's `decodeJwt` when it is a JWT: header, claims, a countdown to
 * `exp`, and the encoded form folded away. Decoding checks no signature: this is for reading only.
 */
export const jwtView = (jwt: string): HTMLElement => {
  const encoded = h(
    'details',
    {},
    h('summary', {}, `encoded (${jwt.length} characters)`),
    h('code', { class: 'raw' }, jwt),
  )
  let decoded: DecodedJwt
  try {
    decoded = decodeJwt(jwt)
  } catch {
    // Auth0 issues an opaque (encrypted) access token when no audience is asked for.
    return h(
      'div',
      { class: 'jwt' },
      h('p', { class: 'jwt-meta' }, 'not a JWT: opaque to the app'),
      encoded,
    )
  }
  const { header, payload } = decoded
  const times = (['iat', 'exp'] as const)
    .filter((claim) => typeof payload[claim] === 'number')
    .map((claim) => `${claim} ${clockTime((payload[claim] as number) * 1000)}`)
  return h(
    'div',
    { class: 'jwt' },
    h(
      'p',
      { class: 'jwt-meta' },
      `${header.alg ?? '?'} · ${header.typ ?? 'JWT'} · ${times.join(' · ')} `,
      typeof payload.exp === 'number' && countdown(payload.exp * 1000),
    ),
    h(
      'div',
      { class: 'jwt-parts' },
      h('div', {}, h('h4', {}, 'header'), jsonBlock(header)),
      h('div', {}, h('h4', {}, 'claims'), jsonBlock(payload)),
    ),
    encoded,
  )
}
