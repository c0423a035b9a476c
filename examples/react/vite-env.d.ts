/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** The authorization server; default the local one on port 4000. */
  readonly VITE_LATCHKEY_ISSUER?: string
}
