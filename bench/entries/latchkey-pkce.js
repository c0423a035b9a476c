// What an app pays for PKCE alone: the two low-level functions, nothing from createClient.
import { createCodeChallenge, createCodeVerifier } from '../../src/index.ts'

export const createPkcePair = async () => {
  const codeVerifier = createCodeVerifier()
  return { codeVerifier, codeChallenge: await createCodeChallenge(codeVerifier) }
}
