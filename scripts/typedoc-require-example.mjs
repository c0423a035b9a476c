/**
 * A TypeDoc plugin for `npm run docs`: every exported function, and every class, must show its
 * use in an `@example`. TypeDoc's own `validation.notDocumented` only asks for a summary; this
 * reports a missing example as a warning, which `treatWarningsAsErrors` turns into a failure.
 *
 * @module
 */
import { Application, ReflectionKind } from 'typedoc'

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.on(Application.EVENT_VALIDATE_PROJECT, (project) => {
    const kinds = ReflectionKind.Function | ReflectionKind.Class | ReflectionKind.Variable
    for (const reflection of project.getReflectionsByKind(kinds)) {
      const comments = [reflection.comment]
      if (reflection.isDeclaration()) {
        comments.push(...(reflection.signatures ?? []).map((signature) => signature.comment))
        const callable = reflection.type?.type === 'reflection' ? reflection.type.declaration : null
        comments.push(...(callable?.signatures ?? []).map((signature) => signature.comment))
        if (reflection.kindOf(ReflectionKind.Variable) && !callable?.signatures?.length) continue
      }
      if (!comments.some((comment) => comment?.getTag('@example'))) {
        app.logger.warn(`${reflection.getFriendlyFullName()} has no @example`)
      }
    }
  })
}
