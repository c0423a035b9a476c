/**
 * The URL with these query parameters set (each replaces one of the same name already there)
 * and undefined ones left out. Values are encoded by `URLSearchParams`, so none can inject
 * another parameter.
 */
export const withQuery = (endpoint: string, params: Record<string, string | undefined>): string => {
  const url = new URL(endpoint)
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) url.searchParams.set(name, value)
  }
  return url.href
}
