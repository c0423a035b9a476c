import vm from 'node:vm'
import { describe, expect, test } from 'vitest'
import { fail } from '../../src/errors'
import { AuthError, isAuthError } from '../../src/index'
import { thrown } from '../support/fakes'

describe('AuthError', () => {
  test('carries code, name, message with the code, and the server details', () => {
    const cause = new TypeError('Failed to fetch')
    const error = new AuthError('token_error', 'The token endpoint refused', {
      error: 'invalid_grant',
      errorDescription: 'expired',
      errorUri: 'https://id.example.com/help',
      status: 400,
      retryAfter: 30,
      cause,
    })
    expect(error).toBeInstanceOf(Error)
    expect(error).toBeInstanceOf(AuthError)
    expect(error).toMatchObject({
      name: 'AuthError',
      code: 'token_error',
      error: 'invalid_grant',
      errorDescription: 'expired',
      errorUri: 'https://id.example.com/help',
      status: 400,
      retryAfter: 30,
    })
    expect(error.cause).toBe(cause)
    expect(error.message).toContain('The token endpoint refused')
    expect(error.message).toContain('[token_error]')
  })

  test('details left out are not own properties', () => {
    const error = new AuthError('timeout', 'slow')
    for (const key of ['error', 'errorDescription', 'errorUri', 'status', 'retryAfter']) {
      expect(Object.hasOwn(error, key)).toBe(false)
    }
    expect(error.cause).toBeUndefined()
  })

  test("latchkey's own errors drop the details the server did not send", () => {
    const error = thrown(() => fail('token_error', 'refused', { error: 'x', status: undefined }))
    expect(error).toMatchObject({ code: 'token_error', error: 'x' })
    expect(Object.hasOwn(error as object, 'status')).toBe(false)
  })

  test('rule 17: JSON.stringify shows code and details, not the message or stack', () => {
    const error = new AuthError('token_error', 'message text', {
      error: 'invalid_grant',
      status: 400,
    })
    const parsed = JSON.parse(JSON.stringify(error))
    expect(parsed).toMatchObject({
      name: 'AuthError',
      code: 'token_error',
      error: 'invalid_grant',
      status: 400,
    })
    expect(JSON.stringify(error)).not.toContain('message text')
  })
})

describe('isAuthError (across realms)', () => {
  test('true for an AuthError of this realm', () => {
    expect(isAuthError(new AuthError('timeout', 'slow'))).toBe(true)
  })

  test('true for a plain object shaped like one (e.g. structured-cloned from a worker)', () => {
    expect(isAuthError({ name: 'AuthError', code: 'timeout' })).toBe(true)
  })

  test('true for an AuthError from another realm (node:vm context), where instanceof fails', () => {
    const foreign = vm.runInNewContext(`
      class AuthError extends Error {
        constructor() { super('slow [timeout]'); this.name = 'AuthError'; this.code = 'timeout' }
      }
      new AuthError()
    `)
    expect(foreign instanceof Error).toBe(false)
    expect(foreign instanceof AuthError).toBe(false)
    expect(isAuthError(foreign)).toBe(true)
  })

  test.each<[string, unknown]>([
    ['a TypeError', new TypeError('x')],
    [
      'an Error named AuthError without a code',
      Object.assign(new Error('x'), { name: 'AuthError' }),
    ],
    ['an object with a non-string code', { name: 'AuthError', code: 42 }],
    ['an object with a code but another name', { name: 'Error', code: 'timeout' }],
    ['a string', 'AuthError'],
    ['null', null],
    ['undefined', undefined],
    ['a number', 0],
  ])('false for %s', (_, value) => {
    expect(isAuthError(value)).toBe(false)
  })
})
