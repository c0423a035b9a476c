import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { safeReturnTo } from '../../src/index'

const ORIGIN = 'https://app.example.com'
/** Where a browser would go if the app navigated to the helper's answer. */
const landsOn = (path: string) => {
  try {
    return new URL(path, `${ORIGIN}/some/page`).origin
  } catch {
    return `nowhere: ${JSON.stringify(path)} is not a URL reference`
  }
}

describe('safeReturnTo (rule 9, RFC 9700 §4.11)', () => {
  test.each([
    ['/inbox?x=1#h', '/inbox?x=1#h'],
    ['/', '/'],
    ['/a/b/c', '/a/b/c'],
    ['/search?q=%2F%2Fevil.com', '/search?q=%2F%2Fevil.com'],
  ])('rule 9: same-origin path %j is kept', (value, expected) => {
    expect(safeReturnTo(value)).toBe(expected)
  })

  test.each<[string, unknown]>([
    ['protocol-relative //evil.com', '//evil.com'],
    ['backslash /\\evil.com', '/\\evil.com'],
    ['double backslash \\\\evil.com', '\\\\evil.com'],
    ['scheme without slashes https:evil.com', 'https:evil.com'],
    ['absolute https://evil.com', 'https://evil.com/'],
    ['javascript:alert(1)', 'javascript:alert(1)'],
    ['data: URL', 'data:text/html,<script>alert(1)</script>'],
    ['a tab inside //: /\\t/evil.com', '/\t/evil.com'],
    ['a newline inside //: /\\n/evil.com', '/\n/evil.com'],
    ['a relative path', 'evil'],
    ['a number', 42],
    ['undefined', undefined],
    ['null', null],
    ['an object', { toString: () => '/inbox' }],
    ['the empty string', ''],
    ['a dot segment that collapses to //: /.//evil.com', '/.//evil.com'],
    ['a dot-dot segment that collapses to //: /..//evil.com', '/..//evil.com'],
    ['an encoded dot segment: /%2e//evil.com', '/%2e//evil.com'],
    ['a backslash dot segment: /.\\/evil.com', '/.\\/evil.com'],
  ])('rule 9: %s → the fallback', (_, value) => {
    const result = safeReturnTo(value, '/fallback')
    expect(landsOn(result)).toBe(ORIGIN)
    expect(result).toBe('/fallback')
  })

  test("the fallback defaults to '/'", () => {
    expect(safeReturnTo('//evil.com')).toBe('/')
  })

  test('rule 9: whatever the input, the answer never leaves the origin (property)', () => {
    const hostile = fc.string({
      unit: fc.constantFrom(
        '/',
        '\\',
        '.',
        '%',
        '2',
        'e',
        'E',
        'f',
        '\t',
        '\n',
        'a',
        ':',
        '@',
        '?',
        '#',
        'evil.com',
      ),
      maxLength: 8,
    })
    fc.assert(
      fc.property(hostile, (value) => {
        expect(landsOn(safeReturnTo(value))).toBe(ORIGIN)
        expect(landsOn(safeReturnTo(`/${value}`))).toBe(ORIGIN)
      }),
      { numRuns: 2000 },
    )
  })
})
