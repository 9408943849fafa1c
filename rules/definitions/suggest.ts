/** "Did you mean …?" for misspelt ids and field names: the closest known name, if it is close. */

/** Edit distance (insertions, deletions, substitutions) between two strings. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost)
    }
    previous = current
  }
  return previous[b.length]!
}

/** Digits runs without leading zeros, lower case: "R7" and "r07" both read "r7". */
function normalised(name: string): string {
  return name.toLowerCase().replace(/\d+/g, (digits) => String(Number(digits)))
}

/**
 * The known name closest to `name`: the same after normalising, else within a third of its length
 * (at least 2 edits). Undefined when nothing is close, or when several are equally close ("P5" is
 * as near "P1" as "P4": no guess is better than a wrong one).
 */
export function closest(name: string, known: Iterable<string>): string | undefined {
  let best: string | undefined
  let bestDistance = Infinity
  let tie = false
  for (const candidate of known) {
    if (candidate === name) continue
    const distance = normalised(candidate) === normalised(name) ? 0 : editDistance(name.toLowerCase(), candidate.toLowerCase())
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
      tie = false
    } else if (distance === bestDistance) tie = true
  }
  return !tie && bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined
}

/** ` (did you mean "X"?)` or the empty string. */
export function didYouMean(name: string, known: Iterable<string>): string {
  const guess = closest(name, known)
  return guess === undefined ? '' : ` (did you mean "${guess}"?)`
}
