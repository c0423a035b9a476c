import type { ChangeReason, TokenSet } from '../token-store.js'

/**
 * What tabs of one issuer + client tell each other over their `BroadcastChannel` (security.md
 * rule 19): a session change, or a new tab asking for the session.
 */
export type TabMessage =
  | {
      /** The session changed in the sending tab: new tokens, or none after logout or a refusal. */
      type: 'session'
      /** The issuer the session belongs to; a message for another is ignored. */
      issuer: string
      /** The client the session belongs to. */
      clientId: string
      /** `login` or `refresh` with tokens; `logout` or `error` without. */
      reason: ChangeReason
      /** The new tokens, checked again by the receiver before use. */
      tokens?: TokenSet | undefined
      /** When the change happened (epoch ms, made strictly increasing): older news is ignored. */
      generation: number
    }
  | {
      /** A new or reloaded tab asks the open ones for the session. */
      type: 'ask'
      /** The issuer whose session is asked for. */
      issuer: string
      /** The client whose session is asked for. */
      clientId: string
    }

const SESSION_REASONS: Record<string, boolean> = {
  login: true,
  refresh: true,
  logout: false,
  error: false,
}

/**
 * The message, when it is one this tab may act on: the shape of a {@link TabMessage}, this issuer
 * and client, a reason that fits the presence of tokens, a finite generation. Anything else
 * (another library's message, a forged or malformed one) is undefined: it changes nothing and
 * throws nothing. The tokens themselves are checked when they are admitted (`admitTokens`).
 */
export const readTabMessage = (
  data: unknown,
  issuer: string,
  clientId: string,
): TabMessage | undefined => {
  const message = data as TabMessage | null
  if (typeof message !== 'object' || message?.issuer !== issuer || message.clientId !== clientId) {
    return undefined
  }
  if (message.type === 'ask') return message
  if (
    message.type === 'session' &&
    Number.isFinite(message.generation) &&
    SESSION_REASONS[message.reason] === (message.tokens !== undefined)
  ) {
    return message
  }
  return undefined
}
