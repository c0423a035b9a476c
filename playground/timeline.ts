import { clockTime, countdown, h, jsonBlock, jwtView } from './dom'

/**
 * How a field's value is shown: as text, as JSON, as a decoded JWT, as a countdown to an
 * epoch-ms instant, or as a check that passed or failed.
 */
export type FieldKind = 'text' | 'json' | 'jwt' | 'expiry' | 'pass' | 'fail'

/** One named value of a step. */
export interface Field {
  name: string
  value: string
  kind?: FieldKind
  /** A token or an authorization code: shown from memory, never written to any storage. */
  secret?: boolean
}

/** One observed step of a flow. */
export interface Step {
  /** Stable name of the kind of step (`authorize`, `token-response`, …), for tests and styles. */
  kind: string
  title: string
  tone?: 'ok' | 'error'
  /** Why the step matters, in a sentence. */
  note?: string
  fields?: Field[]
}

/** Text fields for the entries that have a value, in order. */
export const textFields = (entries: [string, string | undefined | null][]): Field[] =>
  entries.flatMap(([name, value]) => (value == null ? [] : [{ name, value }]))

interface TimedStep extends Step {
  at: number
}

/** The steps that followed one action (Sign in, Call API, …). */
interface Run {
  title: string
  startedAt: number
  steps: TimedStep[]
}

/** The flow inspector: runs of steps, newest run first. */
export interface Timeline {
  /** Starts a run for an action; later steps belong to it. */
  begin(title: string): void
  /** Adds a step to the current run (starting an untitled one when there is none). */
  add(step: Step): void
  /** The latest value of a field in the current run, and the number of its step. */
  find(name: string): { value: string; step: number } | undefined
  /** Keeps the current run in sessionStorage while the page is away at the server. */
  saveForRedirect(): void
  /** Brings back a run saved before a redirect, once; false when there is none. */
  restore(): boolean
  /** Forgets every run, a saved one too. */
  clear(): void
}

const SAVED_RUN = 'latchkey-playground.run'
const NOT_KEPT = '(not kept across page loads: tokens and codes live in memory only)'

const fieldValue = ({ value, kind = 'text' }: Field): Node => {
  switch (kind) {
    case 'json': {
      const json: unknown = JSON.parse(value)
      const compact = JSON.stringify(json)
      if (compact.length <= 60) return h('code', {}, compact)
      const block = jsonBlock(json)
      const lines = block.textContent?.split('\n').length ?? 0
      // A discovery document is long and rarely the point: folded.
      return lines > 24 ? h('details', {}, h('summary', {}, `JSON, ${lines} lines`), block) : block
    }
    case 'jwt':
      return jwtView(value)
    case 'expiry':
      return countdown(Number(value))
    case 'pass':
      return h('span', { class: 'check pass' }, '✓ ', value)
    case 'fail':
      return h('span', { class: 'check fail' }, '✗ ', value)
    default:
      return h('code', {}, value)
  }
}

const renderStep = (step: TimedStep, number: number, startedAt: number): HTMLElement => {
  const elapsed = step.at - startedAt
  return h(
    'li',
    { class: 'step', 'data-kind': step.kind, 'data-tone': step.tone ?? 'info' },
    h(
      'div',
      { class: 'step-head' },
      h('span', { class: 'number' }, String(number)),
      h('strong', {}, step.title),
      h('time', {}, elapsed < 1000 ? `+${elapsed} ms` : `+${(elapsed / 1000).toFixed(1)} s`),
    ),
    step.note && h('p', { class: 'note' }, step.note),
    !!step.fields?.length &&
      h(
        'dl',
        {},
        ...step.fields.map((field) =>
          h(
            'div',
            { 'data-field': field.name },
            h('dt', {}, field.name),
            h('dd', {}, fieldValue(field)),
          ),
        ),
      ),
  )
}

/**
 * Creates the flow inspector in `container`. Only the run in progress outlives a page load, in
 * `storage`, with every secret field blanked first: the verifier, state and nonce may wait
 * there (latchkey's transaction holds them anyway), tokens and codes never do.
 */
export const createTimeline = (container: HTMLElement, storage: Storage): Timeline => {
  let run: Run | undefined
  let list: HTMLOListElement | undefined

  const open = (next: Run): Run => {
    run = next
    list = h('ol', { class: 'steps' })
    if (!container.querySelector('.run')) container.replaceChildren()
    container.prepend(
      h(
        'section',
        { class: 'run' },
        h('h3', {}, next.title, ' ', h('time', { class: 'started' }, clockTime(next.startedAt))),
        list,
      ),
    )
    next.steps.forEach((step, index) => {
      list?.append(renderStep(step, index + 1, next.startedAt))
    })
    return next
  }

  return {
    begin: (title) => open({ title, startedAt: Date.now(), steps: [] }),
    add(step) {
      const current = run ?? open({ title: 'Page load', startedAt: Date.now(), steps: [] })
      const timed = { ...step, at: Date.now() }
      current.steps.push(timed)
      const element = renderStep(timed, current.steps.length, current.startedAt)
      list?.append(element)
      element.scrollIntoView({ block: 'nearest' })
    },
    find(name) {
      const steps = run?.steps ?? []
      for (let index = steps.length - 1; index >= 0; index--) {
        const field = steps[index]?.fields?.find((candidate) => candidate.name === name)
        if (field) return { value: field.value, step: index + 1 }
      }
      return undefined
    },
    saveForRedirect() {
      if (!run) return
      const steps = run.steps.map((step) => ({
        ...step,
        fields: step.fields?.map((field) =>
          field.secret ? { name: field.name, value: NOT_KEPT } : field,
        ),
      }))
      storage.setItem(SAVED_RUN, JSON.stringify({ ...run, steps }))
    },
    restore() {
      const saved = storage.getItem(SAVED_RUN)
      storage.removeItem(SAVED_RUN)
      if (!saved) return false
      try {
        open(JSON.parse(saved) as Run)
        return true
      } catch {
        // Written by another version of this page: start afresh.
        return false
      }
    },
    clear() {
      run = undefined
      list = undefined
      storage.removeItem(SAVED_RUN)
      container.replaceChildren(h('p', { class: 'empty' }, 'Cleared.'))
    },
  }
}
