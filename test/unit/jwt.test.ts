import { describe, expect, test } from 'vitest'
import { base64urlEncode } from '../../src/base64url'
import { decodeJwt } from '../../src/index'
import { base64urlText, mintJwt, thrown } from '../support/fakes'

const bytes = (text: string) => new TextEncoder().encode(text)

describe('base64url (RFC 4648 §5, RFC 7636 Appendix A)', () => {
  test.each([
    ['', ''],
    ['f', 'Zg'],
    ['fo', 'Zm8'],
    ['foo', 'Zm9v'],
    ['foob', 'Zm9vYg'],
    ['fooba', 'Zm9vYmE'],
    ['foobar', 'Zm9vYmFy'],
  ])('RFC 4648 §10 vector %j encodes without padding', (text, encoded) => {
    expect(base64urlEncode(bytes(text))).toBe(encoded)
  })

  test('the URL-safe alphabet replaces + and / (RFC 4648 §5)', () => {
    // 0xfb 0xff is "+/8" in standard base64.
    expect(base64urlEncode(new Uint8Array([0xfb, 0xff]))).toBe('-_8')
  })

  test.each(['a', 'héllo wörld', '{"sub":"ü🙂"}', '\u0000\u007f'])(
    'a JWT part decodes to the UTF-8 text that was encoded: %j',
    (text) => {
      const part = base64urlEncode(bytes(JSON.stringify({ text })))
      expect(decodeJwt(`${part}.${part}.`).payload).toEqual({ text })
    },
  )

  test.each([
    ['a "+"', 'ab+c'],
    ['a "/"', 'ab/c'],
    ['a space', 'ab c'],
    ['padding', 'YWI='],
  ])('a JWT part with %s is refused with invalid_id_token', (_, part) => {
    const header = base64urlEncode(bytes('{"alg":"RS256"}'))
    expect(thrown(() => decodeJwt(`${header}.${part}.sig`))).toMatchObject({
      code: 'invalid_id_token',
    })
  })
})

describe('decodeJwt', () => {
  test('decodes the header and claims of a three-part JWS', () => {
    const claims = { sub: 'user-1', aud: ['a', 'b'], exp: 123, nested: { x: 1 } }
    const header = { alg: 'RS256', kid: 'k1', typ: 'JWT' }
    expect(decodeJwt(mintJwt(claims, header))).toEqual({ header, payload: claims })
  })

  const header = base64urlText('{"alg":"RS256"}')
  const payload = base64urlText('{"sub":"x"}')
  test.each([
    ['two parts', `${header}.${payload}`],
    ['one part', header],
    ['four parts', `${header}.${payload}.sig.extra`],
    ['five parts (a JWE)', `${header}.key.iv.${payload}.tag`],
    ['the empty string', ''],
    ['bad base64 (length 1 mod 4)', `${header}.a.sig`],
    ['standard base64 characters', `${header}.${payload}+/.sig`],
    ['a payload that is not JSON', `${header}.${base64urlText('not json')}.sig`],
    ['a header that is not JSON', `${base64urlText('{alg:RS256}')}.${payload}.sig`],
    ['an array payload', `${header}.${base64urlText('["sub"]')}.sig`],
    ['a null payload', `${header}.${base64urlText('null')}.sig`],
    ['a string payload', `${header}.${base64urlText('"sub"')}.sig`],
    ['a number header', `${base64urlText('42')}.${payload}.sig`],
    [
      'a payload that is not UTF-8',
      `${header}.${btoa('\xff\xfe').replace(/\//g, '_').replace(/=+$/, '')}.sig`,
    ],
  ])('%s → invalid_id_token', (_, jwt) => {
    expect(thrown(() => decodeJwt(jwt))).toMatchObject({ code: 'invalid_id_token' })
  })
})
