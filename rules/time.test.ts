import { DateTime, Settings } from 'luxon'
import { afterEach, describe, expect, it } from 'vitest'
import { atLocal, inWindow, localDate, localMinuteOfDay, localMonth, nextLocal, timeCacheSizes, windowAt, type LocalWindow } from './time.ts'

const at = (iso: string) => Date.parse(iso)
const iso = (ts: number) => new Date(ts).toISOString().replace(':00.000Z', 'Z')
const MIN = 60_000
const H = 3_600_000
const win = (w: string): LocalWindow => ({ start: w.slice(0, 5), end: w.slice(6, 11) })

const LONDON = 'Europe/London'
const NEW_YORK = 'America/New_York'
const LORD_HOWE = 'Australia/Lord_Howe'
const SANTIAGO = 'America/Santiago'
const TROLL = 'Antarctica/Troll'

// The 2026 transitions the tables use (instants in UTC):
//   London     29 Mar 01:00Z  00:59 GMT → 02:00 BST (01:00-01:59 does not exist)
//              25 Oct 01:00Z  01:59 BST → 01:00 GMT (01:00-01:59 happens twice: 00:xxZ, then 01:xxZ)
//   New York    8 Mar 07:00Z  01:59 EST → 03:00 EDT;  1 Nov 06:00Z  01:59 EDT → 01:00 EST
//   Lord Howe   4 Oct 15:30Z  01:59 +10:30 → 02:30 +11;  5 Apr (4 Apr 15:00Z) 01:59 +11 → 01:30 +10:30
//   Santiago    6 Sep 04:00Z  23:59 (5 Sep) → 01:00 (midnight does not exist)
//   Troll      25 Oct 01:00Z  02:59 +02 → 01:00 +00 (a 2-hour repeat that starts the day before in UTC)
const TRANSITIONS: { zone: string; at: string }[] = [
  { zone: LONDON, at: '2026-03-29T01:00Z' },
  { zone: LONDON, at: '2026-10-25T01:00Z' },
  { zone: NEW_YORK, at: '2026-03-08T07:00Z' },
  { zone: NEW_YORK, at: '2026-11-01T06:00Z' },
  { zone: LORD_HOWE, at: '2026-04-04T15:00Z' },
  { zone: LORD_HOWE, at: '2026-10-03T15:30Z' },
  { zone: SANTIAGO, at: '2026-04-05T03:00Z' },
  { zone: SANTIAGO, at: '2026-09-06T04:00Z' },
  { zone: TROLL, at: '2026-03-29T01:00Z' },
  { zone: TROLL, at: '2026-10-25T01:00Z' },
]
const WINDOWS = ['22:00-06:00', '01:30-05:00', '01:00-02:00', '00:30-01:30', '06:00-09:00', '01:30-02:15', '02:00-02:15', '23:30-00:30']

describe('atLocal: a skipped time resolves to the instant the clock jumps past it, a repeated one to its second occurrence', () => {
  const cases: { zone: string; date: string; time: string; expected: string }[] = [
    { zone: LONDON, date: '2026-03-29', time: '00:59', expected: '2026-03-29T00:59Z' },
    { zone: LONDON, date: '2026-03-29', time: '01:00', expected: '2026-03-29T01:00Z' },
    { zone: LONDON, date: '2026-03-29', time: '01:30', expected: '2026-03-29T01:00Z' },
    { zone: LONDON, date: '2026-03-29', time: '01:59', expected: '2026-03-29T01:00Z' },
    { zone: LONDON, date: '2026-03-29', time: '02:00', expected: '2026-03-29T01:00Z' },
    { zone: LONDON, date: '2026-03-29', time: '02:30', expected: '2026-03-29T01:30Z' },
    { zone: LONDON, date: '2026-10-25', time: '00:59', expected: '2026-10-24T23:59Z' },
    { zone: LONDON, date: '2026-10-25', time: '01:00', expected: '2026-10-25T01:00Z' },
    { zone: LONDON, date: '2026-10-25', time: '01:30', expected: '2026-10-25T01:30Z' },
    { zone: LONDON, date: '2026-10-25', time: '01:59', expected: '2026-10-25T01:59Z' },
    { zone: LONDON, date: '2026-10-25', time: '02:00', expected: '2026-10-25T02:00Z' },
    { zone: NEW_YORK, date: '2026-03-08', time: '01:59', expected: '2026-03-08T06:59Z' },
    { zone: NEW_YORK, date: '2026-03-08', time: '02:30', expected: '2026-03-08T07:00Z' },
    { zone: NEW_YORK, date: '2026-03-08', time: '03:00', expected: '2026-03-08T07:00Z' },
    { zone: NEW_YORK, date: '2026-11-01', time: '00:59', expected: '2026-11-01T04:59Z' },
    { zone: NEW_YORK, date: '2026-11-01', time: '01:30', expected: '2026-11-01T06:30Z' },
    { zone: NEW_YORK, date: '2026-11-01', time: '02:00', expected: '2026-11-01T07:00Z' },
    { zone: LORD_HOWE, date: '2026-10-04', time: '02:15', expected: '2026-10-03T15:30Z' },
    { zone: LORD_HOWE, date: '2026-04-05', time: '01:45', expected: '2026-04-04T15:15Z' },
    { zone: SANTIAGO, date: '2026-09-06', time: '00:00', expected: '2026-09-06T04:00Z' },
    { zone: SANTIAGO, date: '2026-09-06', time: '00:30', expected: '2026-09-06T04:00Z' },
    { zone: SANTIAGO, date: '2026-04-04', time: '23:30', expected: '2026-04-05T03:30Z' },
    { zone: LONDON, date: '2026-07-01', time: '22:00', expected: '2026-07-01T21:00Z' },
  ]
  it.each(cases)('$zone $date $time → $expected', ({ zone, date, time, expected }) => {
    expect(iso(atLocal(date, time, zone))).toBe(expected)
  })

  it('an impossible date is NaN', () => {
    expect(atLocal('2026-02-30', '10:00', LONDON)).toBeNaN()
  })
})

describe('ambiguous times do not depend on the season the process started in', () => {
  const realNow = Settings.now
  afterEach(() => {
    Settings.now = realNow
    Settings.resetCaches()
  })
  it.each(['2026-07-01T12:00Z', '2026-01-01T12:00Z'])('started on %s', (started) => {
    // Luxon guesses a zone's offset from "now" at its first use, and resolves a repeated local
    // time by that guess: a process started in summer took the first (BST) 01:30
    Settings.now = () => at(started)
    Settings.resetCaches()
    expect(iso(atLocal('2026-10-25', '01:30', LONDON))).toBe('2026-10-25T01:30Z')
    expect(iso(atLocal('2026-11-01', '01:30', NEW_YORK))).toBe('2026-11-01T06:30Z')
    expect(windowAt(at('2026-10-25T00:45Z'), LONDON, win('01:30-05:00'))).toMatchObject({ inside: false, start: at('2026-10-25T01:30Z') })
  })
})

describe('nextLocal: the first instant after ts at which atLocal puts `time`', () => {
  const cases: { zone: string; ts: string; time: string; expected: string }[] = [
    { zone: LONDON, ts: '2026-03-28T12:00Z', time: '01:30', expected: '2026-03-29T01:00Z' },
    { zone: LONDON, ts: '2026-03-29T00:59Z', time: '01:30', expected: '2026-03-29T01:00Z' },
    { zone: LONDON, ts: '2026-03-29T01:00Z', time: '01:30', expected: '2026-03-30T00:30Z' },
    { zone: LONDON, ts: '2026-03-29T00:00Z', time: '02:00', expected: '2026-03-29T01:00Z' },
    { zone: LONDON, ts: '2026-03-29T01:00Z', time: '02:00', expected: '2026-03-30T01:00Z' },
    { zone: LONDON, ts: '2026-03-28T23:00Z', time: '06:00', expected: '2026-03-29T05:00Z' },
    { zone: LONDON, ts: '2026-10-24T12:00Z', time: '01:30', expected: '2026-10-25T01:30Z' },
    { zone: LONDON, ts: '2026-10-25T00:30Z', time: '01:30', expected: '2026-10-25T01:30Z' },
    { zone: LONDON, ts: '2026-10-25T01:30Z', time: '01:30', expected: '2026-10-26T01:30Z' },
    { zone: LONDON, ts: '2026-10-24T20:00Z', time: '22:00', expected: '2026-10-24T21:00Z' },
    { zone: LONDON, ts: '2026-10-24T21:00Z', time: '22:00', expected: '2026-10-25T22:00Z' },
    { zone: NEW_YORK, ts: '2026-03-08T06:00Z', time: '02:30', expected: '2026-03-08T07:00Z' },
    { zone: NEW_YORK, ts: '2026-11-01T05:00Z', time: '01:30', expected: '2026-11-01T06:30Z' },
    { zone: LORD_HOWE, ts: '2026-10-03T12:00Z', time: '02:15', expected: '2026-10-03T15:30Z' },
  ]
  it.each(cases)('$zone after $ts, $time → $expected', ({ zone, ts, time, expected }) => {
    expect(iso(nextLocal(at(ts), zone, time))).toBe(expected)
  })
})

describe('localDate, localMinuteOfDay, localMonth around the changes', () => {
  const cases: { zone: string; ts: string; date: string; minute: string; month: number }[] = [
    { zone: LONDON, ts: '2026-03-29T00:59Z', date: '2026-03-29', minute: '00:59', month: 3 },
    { zone: LONDON, ts: '2026-03-29T01:00Z', date: '2026-03-29', minute: '02:00', month: 3 },
    { zone: LONDON, ts: '2026-10-24T22:59Z', date: '2026-10-24', minute: '23:59', month: 10 },
    { zone: LONDON, ts: '2026-10-24T23:00Z', date: '2026-10-25', minute: '00:00', month: 10 },
    { zone: LONDON, ts: '2026-10-25T00:59Z', date: '2026-10-25', minute: '01:59', month: 10 },
    { zone: LONDON, ts: '2026-10-25T01:00Z', date: '2026-10-25', minute: '01:00', month: 10 },
    { zone: LONDON, ts: '2026-03-31T23:30Z', date: '2026-04-01', minute: '00:30', month: 4 },
    { zone: NEW_YORK, ts: '2026-03-08T06:59Z', date: '2026-03-08', minute: '01:59', month: 3 },
    { zone: NEW_YORK, ts: '2026-03-08T07:00Z', date: '2026-03-08', minute: '03:00', month: 3 },
    { zone: NEW_YORK, ts: '2026-11-01T05:59Z', date: '2026-11-01', minute: '01:59', month: 11 },
    { zone: NEW_YORK, ts: '2026-11-01T06:00Z', date: '2026-11-01', minute: '01:00', month: 11 },
    { zone: NEW_YORK, ts: '2026-04-01T03:30Z', date: '2026-03-31', minute: '23:30', month: 3 },
    { zone: LORD_HOWE, ts: '2026-10-03T15:29Z', date: '2026-10-04', minute: '01:59', month: 10 },
    { zone: LORD_HOWE, ts: '2026-10-03T15:30Z', date: '2026-10-04', minute: '02:30', month: 10 },
    { zone: SANTIAGO, ts: '2026-09-06T03:59Z', date: '2026-09-05', minute: '23:59', month: 9 },
    { zone: SANTIAGO, ts: '2026-09-06T04:00Z', date: '2026-09-06', minute: '01:00', month: 9 },
    { zone: 'Asia/Kolkata', ts: '2026-12-31T18:30Z', date: '2027-01-01', minute: '00:00', month: 1 },
    { zone: 'Pacific/Chatham', ts: '2026-04-04T14:00Z', date: '2026-04-05', minute: '02:45', month: 4 },
  ]
  it.each(cases)('$zone $ts is $date $minute', ({ zone, ts, date, minute, month }) => {
    expect([localDate(at(ts), zone), localMinuteOfDay(at(ts), zone), localMonth(at(ts), zone)]).toEqual([date, Number(minute.slice(0, 2)) * 60 + Number(minute.slice(3)), month])
  })
})

describe('windowAt and inWindow around the changes', () => {
  type Case = { zone: string; window: string; ts: string; inside: boolean; key: string; start: string; end: string }
  const cases: Case[] = [
    // London, spring forward: a night is 7 h; a window starting in the gap opens when the clock jumps to 02:00 BST
    { zone: LONDON, window: '22:00-06:00', ts: '2026-03-28T21:59Z', inside: false, key: '2026-03-28', start: '2026-03-28T22:00Z', end: '2026-03-29T05:00Z' },
    { zone: LONDON, window: '22:00-06:00', ts: '2026-03-29T00:59Z', inside: true, key: '2026-03-28', start: '2026-03-28T22:00Z', end: '2026-03-29T05:00Z' },
    { zone: LONDON, window: '22:00-06:00', ts: '2026-03-29T01:00Z', inside: true, key: '2026-03-28', start: '2026-03-28T22:00Z', end: '2026-03-29T05:00Z' },
    { zone: LONDON, window: '22:00-06:00', ts: '2026-03-29T05:00Z', inside: false, key: '2026-03-29', start: '2026-03-29T21:00Z', end: '2026-03-30T05:00Z' },
    { zone: LONDON, window: '01:30-05:00', ts: '2026-03-29T00:59Z', inside: false, key: '2026-03-29', start: '2026-03-29T01:00Z', end: '2026-03-29T04:00Z' },
    { zone: LONDON, window: '01:30-05:00', ts: '2026-03-29T01:00Z', inside: true, key: '2026-03-29', start: '2026-03-29T01:00Z', end: '2026-03-29T04:00Z' },
    { zone: LONDON, window: '01:30-05:00', ts: '2026-03-29T01:29Z', inside: true, key: '2026-03-29', start: '2026-03-29T01:00Z', end: '2026-03-29T04:00Z' },
    { zone: LONDON, window: '01:30-05:00', ts: '2026-03-29T04:00Z', inside: false, key: '2026-03-30', start: '2026-03-30T00:30Z', end: '2026-03-30T04:00Z' },
    // 01:00-02:00 does not happen on the spring-forward night: the next one is the night after
    { zone: LONDON, window: '01:00-02:00', ts: '2026-03-29T00:30Z', inside: false, key: '2026-03-30', start: '2026-03-30T00:00Z', end: '2026-03-30T01:00Z' },
    { zone: LONDON, window: '01:00-02:00', ts: '2026-03-29T01:00Z', inside: false, key: '2026-03-30', start: '2026-03-30T00:00Z', end: '2026-03-30T01:00Z' },
    { zone: LONDON, window: '00:30-01:30', ts: '2026-03-29T00:29Z', inside: false, key: '2026-03-29', start: '2026-03-29T00:30Z', end: '2026-03-29T01:00Z' },
    { zone: LONDON, window: '00:30-01:30', ts: '2026-03-29T00:59Z', inside: true, key: '2026-03-29', start: '2026-03-29T00:30Z', end: '2026-03-29T01:00Z' },
    { zone: LONDON, window: '00:30-01:30', ts: '2026-03-29T01:00Z', inside: false, key: '2026-03-30', start: '2026-03-29T23:30Z', end: '2026-03-30T00:30Z' },
    { zone: LONDON, window: '01:30-02:15', ts: '2026-03-29T00:00Z', inside: false, key: '2026-03-29', start: '2026-03-29T01:00Z', end: '2026-03-29T01:15Z' },
    { zone: LONDON, window: '06:00-09:00', ts: '2026-03-29T01:00Z', inside: false, key: '2026-03-29', start: '2026-03-29T05:00Z', end: '2026-03-29T08:00Z' },
    // London, fall back: a night is 9 h; a window starting in the repeated hour opens at its second (GMT) occurrence,
    // one ending in it closes at its second occurrence
    { zone: LONDON, window: '22:00-06:00', ts: '2026-10-24T20:59Z', inside: false, key: '2026-10-24', start: '2026-10-24T21:00Z', end: '2026-10-25T06:00Z' },
    { zone: LONDON, window: '22:00-06:00', ts: '2026-10-25T01:30Z', inside: true, key: '2026-10-24', start: '2026-10-24T21:00Z', end: '2026-10-25T06:00Z' },
    { zone: LONDON, window: '22:00-06:00', ts: '2026-10-25T06:00Z', inside: false, key: '2026-10-25', start: '2026-10-25T22:00Z', end: '2026-10-26T06:00Z' },
    { zone: LONDON, window: '01:30-05:00', ts: '2026-10-25T00:29Z', inside: false, key: '2026-10-25', start: '2026-10-25T01:30Z', end: '2026-10-25T05:00Z' },
    { zone: LONDON, window: '01:30-05:00', ts: '2026-10-25T00:30Z', inside: false, key: '2026-10-25', start: '2026-10-25T01:30Z', end: '2026-10-25T05:00Z' },
    { zone: LONDON, window: '01:30-05:00', ts: '2026-10-25T01:00Z', inside: false, key: '2026-10-25', start: '2026-10-25T01:30Z', end: '2026-10-25T05:00Z' },
    { zone: LONDON, window: '01:30-05:00', ts: '2026-10-25T01:30Z', inside: true, key: '2026-10-25', start: '2026-10-25T01:30Z', end: '2026-10-25T05:00Z' },
    { zone: LONDON, window: '01:00-02:00', ts: '2026-10-25T00:00Z', inside: false, key: '2026-10-25', start: '2026-10-25T01:00Z', end: '2026-10-25T02:00Z' },
    { zone: LONDON, window: '01:00-02:00', ts: '2026-10-25T01:59Z', inside: true, key: '2026-10-25', start: '2026-10-25T01:00Z', end: '2026-10-25T02:00Z' },
    { zone: LONDON, window: '01:00-02:00', ts: '2026-10-25T02:00Z', inside: false, key: '2026-10-26', start: '2026-10-26T01:00Z', end: '2026-10-26T02:00Z' },
    { zone: LONDON, window: '00:30-01:30', ts: '2026-10-24T23:29Z', inside: false, key: '2026-10-25', start: '2026-10-24T23:30Z', end: '2026-10-25T01:30Z' },
    { zone: LONDON, window: '00:30-01:30', ts: '2026-10-25T00:30Z', inside: true, key: '2026-10-25', start: '2026-10-24T23:30Z', end: '2026-10-25T01:30Z' },
    { zone: LONDON, window: '00:30-01:30', ts: '2026-10-25T01:29Z', inside: true, key: '2026-10-25', start: '2026-10-24T23:30Z', end: '2026-10-25T01:30Z' },
    { zone: LONDON, window: '00:30-01:30', ts: '2026-10-25T01:30Z', inside: false, key: '2026-10-26', start: '2026-10-26T00:30Z', end: '2026-10-26T01:30Z' },
    { zone: LONDON, window: '06:00-09:00', ts: '2026-10-25T01:00Z', inside: false, key: '2026-10-25', start: '2026-10-25T06:00Z', end: '2026-10-25T09:00Z' },
    // New York
    { zone: NEW_YORK, window: '22:00-06:00', ts: '2026-03-08T07:00Z', inside: true, key: '2026-03-07', start: '2026-03-08T03:00Z', end: '2026-03-08T10:00Z' },
    { zone: NEW_YORK, window: '01:30-05:00', ts: '2026-03-08T07:00Z', inside: true, key: '2026-03-08', start: '2026-03-08T06:30Z', end: '2026-03-08T09:00Z' },
    { zone: NEW_YORK, window: '01:00-02:00', ts: '2026-03-08T06:59Z', inside: true, key: '2026-03-08', start: '2026-03-08T06:00Z', end: '2026-03-08T07:00Z' },
    { zone: NEW_YORK, window: '02:00-02:15', ts: '2026-03-08T06:00Z', inside: false, key: '2026-03-09', start: '2026-03-09T06:00Z', end: '2026-03-09T06:15Z' },
    { zone: NEW_YORK, window: '22:00-06:00', ts: '2026-11-01T06:00Z', inside: true, key: '2026-10-31', start: '2026-11-01T02:00Z', end: '2026-11-01T11:00Z' },
    { zone: NEW_YORK, window: '01:30-05:00', ts: '2026-11-01T05:30Z', inside: false, key: '2026-11-01', start: '2026-11-01T06:30Z', end: '2026-11-01T10:00Z' },
    { zone: NEW_YORK, window: '01:00-02:00', ts: '2026-11-01T05:00Z', inside: false, key: '2026-11-01', start: '2026-11-01T06:00Z', end: '2026-11-01T07:00Z' },
    { zone: NEW_YORK, window: '00:30-01:30', ts: '2026-11-01T05:45Z', inside: true, key: '2026-11-01', start: '2026-11-01T04:30Z', end: '2026-11-01T06:30Z' },
    // Lord Howe (a 30-minute change) and Santiago (midnight does not exist on 6 Sep)
    { zone: LORD_HOWE, window: '01:30-05:00', ts: '2026-04-04T14:30Z', inside: false, key: '2026-04-05', start: '2026-04-04T15:00Z', end: '2026-04-04T18:30Z' },
    { zone: LORD_HOWE, window: '02:00-02:15', ts: '2026-10-03T15:00Z', inside: false, key: '2026-10-05', start: '2026-10-04T15:00Z', end: '2026-10-04T15:15Z' },
    { zone: SANTIAGO, window: '23:30-00:30', ts: '2026-09-06T03:45Z', inside: true, key: '2026-09-05', start: '2026-09-06T03:30Z', end: '2026-09-06T04:00Z' },
    { zone: TROLL, window: '01:30-05:00', ts: '2026-10-24T23:30Z', inside: false, key: '2026-10-25', start: '2026-10-25T01:30Z', end: '2026-10-25T05:00Z' },
    { zone: TROLL, window: '01:30-05:00', ts: '2026-10-25T01:30Z', inside: true, key: '2026-10-25', start: '2026-10-25T01:30Z', end: '2026-10-25T05:00Z' },
  ]
  it.each(cases)('$zone $window at $ts', ({ zone, window, ts, inside, key, start, end }) => {
    const w = windowAt(at(ts), zone, win(window))
    expect({ ...w, start: iso(w.start), end: iso(w.end) }).toEqual({ inside, key, start, end })
    expect(inWindow(at(ts), zone, win(window))).toBe(inside)
  })
})

function wallClockInside(minute: number, w: LocalWindow): boolean {
  const s = Number(w.start.slice(0, 2)) * 60 + Number(w.start.slice(3))
  const e = Number(w.end.slice(0, 2)) * 60 + Number(w.end.slice(3))
  return s < e ? minute >= s && minute < e : minute >= s || minute < e
}

/** Luxon's wall clock, minute by minute, 25 h either side of `change`: the reading, and whether it happens only once (changes are of 2 h at most). */
const clocks = new Map<string, Map<number, { minute: number; once: boolean }>>()
function clockAround(zone: string, change: number): Map<number, { minute: number; once: boolean }> {
  const id = `${zone} ${change}`
  let clock = clocks.get(id)
  if (clock === undefined) {
    const readings = new Map<number, string>()
    for (let t = change - 27 * H; t <= change + 27 * H; t += MIN) readings.set(t, DateTime.fromMillis(t, { zone }).toFormat("yyyy-MM-dd'T'HH:mm"))
    clock = new Map()
    for (let t = change - 25 * H; t <= change + 25 * H; t += MIN) {
      const r = readings.get(t)!
      const once = [-2, -1.5, -1, -0.5, 0.5, 1, 1.5, 2].every((d) => readings.get(t + d * H) !== r)
      clock.set(t, { minute: Number(r.slice(11, 13)) * 60 + Number(r.slice(14, 16)), once })
    }
    clocks.set(id, clock)
  }
  return clock
}

describe('invariant: inWindow and windowAt agree, minute by minute, 24 h either side of each change', () => {
  const sweeps = TRANSITIONS.flatMap((t) => WINDOWS.map((window) => ({ ...t, window })))
  it.each(sweeps)('$zone $at $window', ({ zone, at: change, window }) => {
    const w = win(window)
    const clock = clockAround(zone, at(change))
    const problems: string[] = []
    let prev: ReturnType<typeof windowAt> | undefined
    for (let ts = at(change) - 24 * H; ts <= at(change) + 24 * H; ts += MIN) {
      const occ = windowAt(ts, zone, w)
      const inside = inWindow(ts, zone, w)
      const say = (what: string) => problems.push(`${iso(ts)}: ${what} (inWindow ${inside}, windowAt ${JSON.stringify({ ...occ, start: iso(occ.start), end: iso(occ.end) })})`)
      if (inside !== occ.inside) say('inWindow and windowAt disagree')
      if (occ.inside !== (occ.start <= ts && ts < occ.end)) say('inside is not start <= ts < end')
      if (!occ.inside && !(occ.start > ts)) say('outside, but the next occurrence does not start after ts')
      if (!(occ.end > occ.start)) say('an empty or reversed occurrence')
      if (atLocal(occ.key, w.start, zone) !== occ.start) say('start is not atLocal(key, start)')
      // what common-metric's clip relies on: nothing changes between ts and nextLocal (an empty occurrence
      // inside a gap may add a boundary that changes nothing)
      const next = nextLocal(ts, zone, inside ? w.end : w.start)
      if (inside ? next !== occ.end : !(next > ts && next <= occ.start)) say(`nextLocal gives ${iso(next)}`)
      const wall = clock.get(ts)!
      if (wall.once && inside !== wallClockInside(wall.minute, w)) say('differs from the wall clock outside a repeated hour')
      if (prev !== undefined) {
        const same = prev.key === occ.key
        if (same && (prev.start !== occ.start || prev.end !== occ.end)) say('the same occurrence moved')
        if (!same && !(prev.key < occ.key && prev.end <= ts && prev.end <= occ.start)) say(`occurrence ${prev.key} [${iso(prev.start)}, ${iso(prev.end)}) is not over`)
      }
      prev = occ
      if (problems.length > 5) break
    }
    expect(problems).toEqual([])
  })
})

describe('the cached offsets give exactly what Luxon gives', () => {
  const zones = ['Europe/London', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'Pacific/Chatham']
  const from = at('2020-01-01T00:00Z')
  const to = at('2030-01-01T00:00Z')
  let seed = 20260329
  const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647

  /** The offset changes 2020-2029, to the day (Luxon, day by day). */
  function changes(zone: string): number[] {
    const out: number[] = []
    let prev = DateTime.fromMillis(from, { zone }).offset
    for (let t = from + 24 * H; t <= to; t += 24 * H) {
      const o = DateTime.fromMillis(t, { zone }).offset
      if (o !== prev) out.push(t)
      prev = o
    }
    return out
  }

  /** Every minute of the day before each change and the six hours after. */
  function aroundChanges(zone: string): number[] {
    const out: number[] = []
    for (const t of changes(zone)) for (let u = t - 30 * H; u < t + 6 * H; u += MIN) out.push(u)
    return out
  }

  it.each(zones)('%s: 20,000 random instants 2020-2029 (100,000 over the five zones) and every minute around each change', (zone) => {
    const sample = Array.from({ length: 20_000 }, () => Math.floor(from + random() * (to - from)))
    const changes = aroundChanges(zone)
    if (zone !== 'Asia/Kolkata') expect(changes.length).toBeGreaterThan(10 * 2 * 30 * 60)
    const night = win('22:00-06:00')
    const morning = win('06:00-09:00')
    const wrong: string[] = []
    for (const ts of [...sample, ...changes]) {
      const d = DateTime.fromMillis(ts, { zone })
      const minute = d.hour * 60 + d.minute
      const want = [minute, d.toISODate(), d.month, wallClockInside(minute, night), wallClockInside(minute, morning)]
      const got = [localMinuteOfDay(ts, zone), localDate(ts, zone), localMonth(ts, zone), inWindow(ts, zone, night), inWindow(ts, zone, morning)]
      if (JSON.stringify(got) !== JSON.stringify(want)) wrong.push(`${iso(ts)}: ${JSON.stringify(got)} != ${JSON.stringify(want)}`)
      if (wrong.length > 5) break
    }
    expect(wrong).toEqual([])
  }, 60_000)

  it.each(zones)('%s: inWindow agrees with windowAt, 100 random instants within 5 days of each change and 1,000 anywhere', (zone) => {
    const windows = ['01:30-05:00', '00:30-01:30', '02:00-02:15', '02:45-03:15', '22:00-06:00'].map(win)
    const near = changes(zone)
    const wrong: string[] = []
    const sample = [
      ...near.flatMap((c) => Array.from({ length: 100 }, () => Math.floor(c + (random() - 0.5) * 10 * 24 * H))),
      ...Array.from({ length: 1000 }, () => Math.floor(from + random() * (to - from))),
    ]
    for (const ts of sample) {
      for (const w of windows) if (inWindow(ts, zone, w) !== windowAt(ts, zone, w).inside) wrong.push(`${iso(ts)} ${w.start}-${w.end}`)
      if (wrong.length > 5) break
    }
    expect(wrong).toEqual([])
  }, 60_000)

  it('keeps its caches bounded', () => {
    for (let ts = from; ts < to; ts += 7 * H) localMinuteOfDay(ts, LONDON)
    for (let ts = from; ts < to; ts += 20 * H) inWindow(ts, NEW_YORK, win('22:00-06:00'))
    for (const size of Object.values(timeCacheSizes())) expect(size).toBeLessThanOrEqual(10_000)
  }, 60_000)

  it('an unknown zone still answers as Luxon does', () => {
    expect([localMinuteOfDay(0, 'Nowhere/Land'), localDate(0, 'Nowhere/Land'), inWindow(0, 'Nowhere/Land', win('22:00-06:00')), atLocal('2026-01-01', '10:00', 'Nowhere/Land')]).toEqual([
      Number.NaN,
      null,
      false,
      Number.NaN,
    ])
  })
})
