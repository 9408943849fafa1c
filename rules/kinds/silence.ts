/**
 * Silence episodes, shared by the interval absence (H01/H09), inactivity (R14) and unused-outlet
 * (F15) kinds: the clock runs from the last piece of evidence (or from registration, so a device
 * that never reports still fires; docs/domain.md E3), an episode opens when the first level is due
 * and may escalate to later levels, and the next fresh evidence ends it (auto-restore).
 *
 * Decisions are made for the time they were due, from state: a timer that fires hours late raises
 * what was due at its due time (occurredAt = the due time), once; when several levels have passed it
 * raises only the highest one reached (no storm of MISSING then CRITICAL after an outage).
 *
 * Evidence older than the last one is ignored (it cannot shorten the silence). Evidence that is itself
 * already stale, i.e. a buffered backlog whose own first level would be due by `now`, moves the
 * clock but does not end an open episode: otherwise each backlog record would clear and re-raise.
 * The first fresh record ends it.
 */
import type { RuleAction } from '../engine/types.ts'

export type Facts = Record<string, number | string | boolean>

export interface SilenceState {
  /** The last evidence (ms), or registration time while `neverSeen`. */
  lastSeen: number
  neverSeen: boolean
  /** The open episode: when its silence began, and the levels raised for it. */
  open: { since: number; levels: number[] } | null
}

export interface SilenceLevel {
  /** Appended to the episode key (the first level has none: its key is the time silence began). */
  suffix: string
  /** When this level is due for a silence that began at `lastSeen`. */
  dueAfter(lastSeen: number): number
  facts(state: SilenceState): Facts
}

export function silenceInit(now: number): SilenceState {
  return { lastSeen: now, neverSeen: true, open: null }
}

export function isSilenceState(s: Record<string, unknown>): boolean {
  const open = s.open as Record<string, unknown> | null | undefined
  return (
    typeof s.lastSeen === 'number' &&
    typeof s.neverSeen === 'boolean' &&
    (open === null || (typeof open === 'object' && typeof open?.since === 'number' && Array.isArray(open?.levels)))
  )
}

function keyOf(since: number, level: SilenceLevel): string {
  return `${since}${level.suffix}`
}

/** Raises what was due by `at` and not yet raised: at most one raise, for the highest level reached. */
export function silenceCatchUp(state: SilenceState, levels: readonly SilenceLevel[], at: number): { state: SilenceState; actions: RuleAction[] } {
  let reached = -1
  levels.forEach((level, i) => {
    if (at >= level.dueAfter(state.lastSeen)) reached = i
  })
  const level = levels[reached]
  if (level === undefined) return { state, actions: [] }
  const open = state.open ?? { since: state.lastSeen, levels: [] }
  if (open.levels.some((l) => l >= reached)) return { state, actions: [] }
  const next: SilenceState = { ...state, open: { since: open.since, levels: [...open.levels, reached] } }
  return {
    state: next,
    actions: [{ type: 'raise', key: keyOf(open.since, level), occurredAt: level.dueAfter(state.lastSeen), facts: level.facts(next) }],
  }
}

/**
 * Evidence at `t` (≤ now): first raise what was due before it (a late timer), then move the clock;
 * fresh evidence ends the open episode, clearing every key raised for it.
 * Returns undefined when the evidence is not newer than the last (nothing changes).
 */
export function silenceSeen(
  state: SilenceState,
  levels: readonly SilenceLevel[],
  t: number,
  now: number,
): { state: SilenceState; actions: RuleAction[] } | undefined {
  if (t <= state.lastSeen) return undefined
  const caught = silenceCatchUp(state, levels, t)
  const actions = [...caught.actions]
  let next: SilenceState = { ...caught.state, lastSeen: t, neverSeen: false }
  const first = levels[0]
  const fresh = first === undefined || first.dueAfter(t) > now
  if (next.open !== null && fresh) {
    for (const l of next.open.levels) {
      const level = levels[l]
      if (level !== undefined) actions.push({ type: 'clear', key: keyOf(next.open.since, level), at: t })
    }
    next = { ...next, open: null }
  }
  return { state: next, actions }
}

/** When the next level is due, or null when the highest level has been raised. */
export function silenceNextDue(state: SilenceState, levels: readonly SilenceLevel[]): number | null {
  const raised = state.open === null ? -1 : Math.max(-1, ...state.open.levels)
  const level = levels[raised + 1]
  return level === undefined ? null : level.dueAfter(state.lastSeen)
}
