import { Crypto } from '@peculiar/webcrypto'

/**
 * Runs the unit suite on @peculiar/webcrypto instead of Node's WebCrypto, so the library is
 * proven on a second, independent implementation of `getRandomValues` and `subtle.digest`.
 */
const peculiar = new Crypto()
Object.defineProperty(globalThis, 'crypto', { value: peculiar, configurable: true, writable: true })
if (typeof window !== 'undefined') {
  Object.defineProperty(window, 'crypto', { value: peculiar, configurable: true, writable: true })
}
