/**
 * The `<script>` bundle's contents, on `window.Latchkey`: the core and every browser add-on
 * (React is left to its own import).
 *
 * @module
 */
export * from './dpop/index.js'
export * from './index.js'
export * from './popup/index.js'
export * from './silent/index.js'
export * from './tabs/index.js'
