/**
 * A copy of a record of strings and numbers without its undefined members, so a value the
 * server did not send is no property at all. JSON drops them and keeps every string as it was.
 */
export const defined = <T>(record: { [K in keyof T]: T[K] | undefined }): T =>
  JSON.parse(JSON.stringify(record))
