import { fail } from './errors.js'

/** Base64url without padding (RFC 4648 §5, as RFC 7636 Appendix A asks). */
export const base64urlEncode = (bytes: ArrayBuffer | Uint8Array): string =>
  btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')

/** Decodes unpadded base64url (as JWTs use, RFC 7515 §2) to the UTF-8 text it holds. */
export const base64urlDecodeText = (input: string): string => {
  if (!/^[\w-]*$/.test(input)) fail('invalid_id_token', 'Not base64url text: check the token')
  const binary = atob(input.replace(/-/g, '+').replace(/_/g, '/'))
  return new TextDecoder('utf-8', { fatal: true }).decode(
    Uint8Array.from(binary, (c) => c.charCodeAt(0)),
  )
}
