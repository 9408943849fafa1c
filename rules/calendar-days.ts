/**
 * Calendar arithmetic on day numbers (days since 1970-01-01, proleptic Gregorian), for the fast path
 * of rules/time.ts: converting without creating Luxon DateTime objects. Pure.
 */
export function civil(days: number): [year: number, month: number, day: number] {
  const z = days + 719_468
  const era = Math.floor(z / 146_097)
  const doe = z - era * 146_097
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365)
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1
  const m = mp < 10 ? mp + 3 : mp - 9
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d]
}

export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146_097 + doe - 719_468
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`)

/** "YYYY-MM-DD" for a local day number (years 0-9999; others are beyond the fast path). */
export function isoDay(days: number): string | undefined {
  const [y, m, d] = civil(days)
  if (y < 0 || y > 9999) return undefined
  return `${String(y).padStart(4, '0')}-${pad2(m)}-${pad2(d)}`
}

export function parseDate(date: string): number | undefined {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number]
  if (!Number.isInteger(y) || !Number.isInteger(mo) || !Number.isInteger(d)) return undefined
  const days = daysFromCivil(y, mo, d)
  const [cy, cm, cd] = civil(days)
  return cy === y && cm === mo && cd === d ? days : undefined
}
