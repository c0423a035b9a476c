// What `latchkey/react` adds on top of the core: the provider, the hook and the guard. React and
// the core are external (see its budget in package.json): an app pays for those anyway.
export { AuthProvider, RequireAuth, useAuth } from '../../src/react/index.ts'
