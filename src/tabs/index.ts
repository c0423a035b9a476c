/**
 * `latchkey/tabs`: one session per browser instead of per tab. See {@link syncTabs}.
 *
 * @module
 */
export { type SyncTabsOptions, syncTabs } from './sync-tabs.js'
