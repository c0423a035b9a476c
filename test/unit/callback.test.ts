import { describe, expect, test } from 'vitest'
import { isCallbackUrl, parseCallbackUrl } from '../../src/index'
import { thrown } from '../support/fakes'

const CB = 'https://app.example.com/callback'

describe('isCallbackUrl (rule 4: state AND (code OR error))', () => {
  test.each([
    [`${CB}?code=c&state=s`, true],
    [`${CB}?error=access_denied&state=s`, true],
    [`${CB}?state=s&code=c&iss=https%3A%2F%2Fid.example.com`, true],
    ['com.example.app:/callback?code=c&state=s', true],
    ['http://localhost:3000/cb?code=c&state=s', true],
    [`${CB}?code=c`, false],
    [`${CB}?state=s`, false],
    [`${CB}?error=x`, false],
    [`${CB}?code=&state=s`, false],
    [`${CB}?code=c&state=`, false],
    [`${CB}?error=&state=s`, false],
    [`${CB}#code=c&state=s`, false],
    [`${CB}?x=1#code=c&state=s`, false],
    [`${CB}?Code=c&State=s`, false],
    [CB, false],
    ['not a url', false],
    ['', false],
  ])('%s → %s', (url, expected) => {
    expect(isCallbackUrl(url)).toBe(expected)
  })

  test('takes a URL object as well as a string', () => {
    expect(isCallbackUrl(new URL(`${CB}?code=c&state=s`))).toBe(true)
    expect(isCallbackUrl(new URL(`${CB}?code=c`))).toBe(false)
  })
})

describe('parseCallbackUrl (rules 4, 7)', () => {
  test('reads code, state and iss', () => {
    expect(
      parseCallbackUrl(`${CB}?code=the-code&state=the-state&iss=https%3A%2F%2Fid.example.com`),
    ).toEqual({
      code: 'the-code',
      state: 'the-state',
      iss: 'https://id.example.com',
    })
  })

  test('reads an error response (RFC 6749 §4.1.2.1)', () => {
    const url = `${CB}?error=access_denied&error_description=User+said+no&error_uri=https%3A%2F%2Fid.example.com%2Fhelp&state=s`
    expect(parseCallbackUrl(url)).toEqual({
      error: 'access_denied',
      errorDescription: 'User said no',
      errorUri: 'https://id.example.com/help',
      state: 's',
    })
  })

  test.each([
    ['no query', CB],
    ['code without state', `${CB}?code=c`],
    ['state without code or error', `${CB}?state=s`],
    ['an empty state', `${CB}?code=c&state=`],
    ['the response in the fragment', `${CB}#code=c&state=s`],
    ['not a URL', 'nonsense'],
  ])('rule 4: %s → not_a_callback', (_, url) => {
    expect(thrown(() => parseCallbackUrl(url))).toMatchObject({ code: 'not_a_callback' })
  })

  test.each([
    ['code', `${CB}?code=a&code=b&state=s`],
    ['state', `${CB}?code=c&state=s&state=t`],
    ['state (same value twice)', `${CB}?code=c&state=s&state=s`],
    ['iss', `${CB}?code=c&state=s&iss=https%3A%2F%2Fa&iss=https%3A%2F%2Fb`],
    ['error', `${CB}?error=a&error=b&state=s`],
  ])('rule 4: a duplicated %s → invalid_callback', (_, url) => {
    expect(thrown(() => parseCallbackUrl(url))).toMatchObject({ code: 'invalid_callback' })
  })

  test('rule 4: code together with error → invalid_callback', () => {
    expect(
      thrown(() => parseCallbackUrl(`${CB}?code=c&error=access_denied&state=s`)),
    ).toMatchObject({
      code: 'invalid_callback',
    })
  })

  test.each([
    ['an empty duplicate of code', `${CB}?code=c&code=&state=s`, { code: 'c', state: 's' }],
    ['an empty iss', `${CB}?code=c&state=s&iss=`, { code: 'c', state: 's' }],
    ['an empty error beside a code', `${CB}?code=c&error=&state=s`, { code: 'c', state: 's' }],
    ['an empty code beside an error', `${CB}?code=&error=e&state=s`, { error: 'e', state: 's' }],
  ])('rule 4: empty equals absent: %s', (_, url, expected) => {
    expect(parseCallbackUrl(url)).toEqual(expected)
  })

  test('rule 4: the fragment is ignored', () => {
    expect(parseCallbackUrl(`${CB}?code=c&state=s#code=evil&state=evil&error=x`)).toEqual({
      code: 'c',
      state: 's',
    })
  })

  test('rule 4: unknown parameters are ignored', () => {
    expect(parseCallbackUrl(`${CB}?code=c&state=s&session_state=x&foo=bar&foo=baz`)).toEqual({
      code: 'c',
      state: 's',
    })
  })

  test('rule 5: the state is returned exactly, without trimming or case folding', () => {
    const state = ' AbC%20é\u0041\u030A '
    const url = new URL(CB)
    url.searchParams.set('code', 'c')
    url.searchParams.set('state', state)
    expect(parseCallbackUrl(url).state).toBe(state)
  })

  test('rule 7: error_description is capped at 500 characters and kept as text', () => {
    const description = `<img src=x onerror=alert(1)>${'x'.repeat(1000)}`
    const url = new URL(CB)
    url.searchParams.set('error', 'access_denied')
    url.searchParams.set('error_description', description)
    url.searchParams.set('state', 's')
    const { errorDescription } = parseCallbackUrl(url)
    expect(errorDescription).toBe(description.slice(0, 500))
  })

  test.each([
    ['https', 'https://id.example.com/help', 'https://id.example.com/help'],
    ['http', 'http://id.example.com/help', undefined],
    ['javascript:', 'javascript:alert(1)', undefined],
    ['data:', 'data:text/html,<script>alert(1)</script>', undefined],
    ['relative', '/help', undefined],
  ])('rule 7: error_uri is kept only when https (%s)', (_, errorUri, expected) => {
    const url = new URL(CB)
    url.searchParams.set('error', 'access_denied')
    url.searchParams.set('error_uri', errorUri)
    url.searchParams.set('state', 's')
    expect(parseCallbackUrl(url).errorUri).toBe(expected)
  })

  test('rule 18: a custom-scheme callback (RFC 8252 §7.1) is read', () => {
    expect(parseCallbackUrl('com.example.app:/callback?code=the-code&state=the-state')).toEqual({
      code: 'the-code',
      state: 'the-state',
    })
  })
})
