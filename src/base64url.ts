/** Base64url without padding (RFC 4648 §5, as RFC 7636 Appendix A asks). */
export const base64urlEncode = (bytes: ArrayBuffer | Uint8Array): string =>
  btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')
