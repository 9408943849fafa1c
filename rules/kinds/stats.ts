/**
 * Robust statistics for personal baselines (docs/domain.md B3 method, after Skubic 2015
 * "personalised normals"): median, median absolute deviation, and the robust score (x − median) / (1.4826·MAD),
 * where 1.4826·MAD estimates the standard deviation of normally distributed data. Pure.
 */

/** 1.4826·MAD ≈ σ for normal data. */
export const MAD_TO_SD = 1.4826

/** The median; NaN for an empty list. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

/** Median absolute deviation from the median; NaN for an empty list. */
export function mad(xs: readonly number[], med = median(xs)): number {
  return median(xs.map((x) => Math.abs(x - med)))
}

/** (x − median) / (1.4826·MAD); undefined when MAD is 0 (no spread: the score is not defined). */
export function robustScore(x: number, med: number, madValue: number): number | undefined {
  return madValue > 0 ? (x - med) / (MAD_TO_SD * madValue) : undefined
}
