/**
 * Pack `responder`: alarms and prevention rules for telecare responders, after docs/domain.md
 * B1 (R01-R23) with default priorities per B0. Numbers marked [D] are Lookout's defaults, not a
 * standard (docs/domain.md): they are rule parameters, and tenants change them with overrides.
 *
 * Subjects are devices and carry no room, so rules about one room (a bathroom or kitchen sensor)
 * ship disabled (`enabled: false`) and are enabled per device with an override.
 */
import type { RuleDefinition } from '../definitions/schema.ts'

const NIGHT = { start: '22:00', end: '06:00' }

export const RESPONDER_RULES: readonly RuleDefinition[] = [
  {
    id: 'R01',
    kind: 'immediate',
    title: 'Manual alarm (pendant, pull-cord, panic)',
    description:
      'Any manual alarm raises at once; the ARC must answer within 60 s (97.5 %) / 180 s (99 %). A LoRaWAN button (Browan TBPB100, Milesight WS101: any press, short, long or double) on a pendant or pull-cord arrives as its pendant.pressed or pullcord.pulled (docs/vocabulary.md, "Button presses by device type"); on other device types a press is button.pressed and raises nothing. Source: docs/domain.md B1 R01 (A1, A3: SCAIP dty 0003/0004/0007, stc 0010); B0 → P1.',
    priority: 'P1',
    appliesTo: { deviceTypes: ['pendant', 'pull-cord'] },
    params: { eventTypes: ['pendant.pressed', 'pullcord.pulled', 'panic.pressed'] },
  },
  {
    id: 'R02',
    kind: 'immediate',
    title: 'Fall detected',
    description: 'A fall detector alarm raises at once; without voice contact a responder is dispatched. Source: docs/domain.md B1 R02 (A1 MASCOT aims; dty 0005, stc 0009); B0 → P1.',
    priority: 'P1',
    appliesTo: { deviceTypes: ['fall-detector'] },
    params: { eventTypes: ['fall.detected'] },
  },
  {
    id: 'R03',
    kind: 'immediate',
    title: 'Fire: smoke or heat alarm',
    description: 'Any smoke or heat alarm raises at once; fire and rescue first. Source: docs/domain.md B1 R03 (Which?, B0: dty 0023/0025/0047); B0 → P1.',
    priority: 'P1',
    appliesTo: { deviceTypes: ['smoke-alarm', 'heat-alarm'] },
    params: { eventTypes: ['smoke.detected', 'heat.detected'] },
  },
  {
    id: 'R04',
    kind: 'immediate',
    title: 'Carbon monoxide or gas alarm',
    description:
      'A CO or gas alarm raises at once. Source: docs/domain.md B1 R04 (EN 50291 via A7; dty 0026/0021); B0 → P1. The CO ppm stream conditions of R04 are not shipped: "co" is not a canonical metric (docs/vocabulary.md).',
    priority: 'P1',
    appliesTo: { deviceTypes: ['co-alarm'] },
    params: { eventTypes: ['co.detected', 'gas.detected'] },
  },
  {
    id: 'R05',
    kind: 'immediate',
    title: 'Flood in the home',
    description: 'A flood detector alarm raises at once; call the occupant first. Source: docs/domain.md B1 R05 (Which?; dty 0033); B0 flood → P2.',
    priority: 'P2',
    appliesTo: { deviceTypes: ['flood-detector'] },
    params: { eventTypes: ['flood.detected'] },
  },
  {
    id: 'R06',
    kind: 'immediate',
    title: 'Temperature extreme near cooker',
    description:
      'A heat alarm\'s rate-of-rise or high-temperature alarm raises at once. Source: docs/domain.md B1 R06 (Moray fact sheet; dty 0020 stc 0100/0126); B0 → P1 for rate-of-rise near a cooker.',
    priority: 'P1',
    appliesTo: { deviceTypes: ['heat-alarm'] },
    params: { eventTypes: ['temperature.rate_of_rise', 'temperature.high'] },
  },
  {
    id: 'R06-rate',
    kind: 'rate-of-change',
    title: 'Fast temperature rise near cooker',
    description:
      'Temperature telemetry of a heat alarm rising by 5 °C per minute or more over 2 minutes [D: our numbers; no published figure]. Source: docs/domain.md B1 R06 (rate-of-rise, stc 0126); B0 → P1.',
    priority: 'P1',
    appliesTo: { deviceTypes: ['heat-alarm'] },
    params: { metric: 'temperature', risePerMinute: 5, overMinutes: 2 },
  },
  {
    id: 'R07',
    kind: 'sequence',
    title: 'Out of bed at night, not returned',
    description:
      'Out of bed between 22:00 and 06:00 and not back within 45 minutes (a per-person timer: override withinMinutes per resident); back in bed clears. Source: docs/domain.md B1 R07 (GrandCare rules; Moray: timer per individual); B0 bed 0012 → P2.',
    priority: 'P2',
    appliesTo: { deviceTypes: ['bed-sensor'] },
    params: { first: ['bed.exited'], then: ['bed.entered'], withinMinutes: 45, window: NIGHT },
  },
  {
    id: 'R08',
    kind: 'immediate',
    title: 'Door opened at night',
    description:
      'Front door opened between 22:00 and 06:00 (or the care-plan window: override window per resident). Source: docs/domain.md B1 R08 (GrandCare; Rest Assured); B0 door/wandering → P1-P2 per care plan, P2 by default.',
    priority: 'P2',
    appliesTo: { deviceTypes: ['door-sensor'] },
    params: { eventTypes: ['door.opened'], window: NIGHT },
  },
  {
    id: 'R09',
    kind: 'sustained',
    title: 'Long bathroom occupancy at night',
    description:
      'Bathroom occupied continuously for more than 15 minutes between 22:00 and 06:00 (occupancy metric; a reading holds at most 60 minutes). Bathroom sensors only: enable per device. Source: docs/domain.md B1 R09 (GrandCare example); B0 → P2.',
    priority: 'P2',
    appliesTo: { deviceTypes: ['motion-sensor'] },
    enabled: false,
    params: { metric: 'occupancy', above: 0.5, forMinutes: 15, withinMinutes: 15, window: NIGHT, maxGapMinutes: 60 },
  },
  {
    id: 'R10',
    kind: 'absence',
    title: 'Morning routine absent',
    description:
      'No motion at the bathroom sensor between 06:00 and 09:00; the next motion clears. Bathroom sensors only: enable per device. Source: docs/domain.md B1 R10 (Rest Assured; GrandCare); B0 → P2.',
    priority: 'P2',
    appliesTo: { deviceTypes: ['motion-sensor'] },
    enabled: false,
    params: { window: { start: '06:00', end: '09:00' }, match: { eventTypes: ['motion.detected'] } },
  },
  {
    id: 'R14',
    kind: 'inactivity',
    title: 'No activity in the daytime',
    description:
      'No motion for more than 4 hours of the 08:00-21:00 day [D]; the next motion clears. Disable it (override enabled: false) while the resident is away. Source: docs/domain.md B1 R14 ([D]; practice la-care.com); B0 activity → P2.',
    priority: 'P2',
    appliesTo: { deviceTypes: ['activity-sensor'] },
    params: { inactiveMinutes: 240, window: { start: '08:00', end: '21:00' }, match: { eventTypes: ['motion.detected'] } },
  },
  {
    id: 'R15',
    kind: 'baseline',
    title: 'More night-time bathroom visits',
    description:
      'Bathroom visits 22:00-07:00 (motion less than 5 min apart is one visit) at or above the 14-night median + max(2, 3 × MAD) on 2 of 3 nights, after 7 nights of history [D]; may signal a UTI. Care team, never an ARC emergency. Bathroom sensors only: enable per device. Source: docs/domain.md B1 R15 and B3 method (Rantz; Lilli/Dorset; TIHM UTI); P3.',
    priority: 'P3',
    appliesTo: { deviceTypes: ['motion-sensor'] },
    enabled: false,
    params: {
      match: { eventTypes: ['motion.detected'] },
      window: { start: '22:00', end: '07:00' },
      direction: 'up',
      mergeWithinMinutes: 5,
      historyDays: 14,
      coldStartDays: 7,
      k: 3,
      minDelta: 2,
      required: { of: 3, atLeast: 2 },
    },
  },
  {
    id: 'R16',
    kind: 'baseline',
    title: 'Less kitchen activity',
    description:
      'Kitchen motion 06:00-22:00 below 50 % of the 14-day median on 2 consecutive days, after 7 days of history [D]. A day with no record at all from the sensor is taken as away and skipped. Kitchen sensors only: enable per device. Source: docs/domain.md B1 R16 (Howz/Lilli/MySense signals; Minder kitchen analysis, B3); P3.',
    priority: 'P3',
    appliesTo: { deviceTypes: ['motion-sensor'] },
    enabled: false,
    params: {
      match: { eventTypes: ['motion.detected'] },
      window: { start: '06:00', end: '22:00' },
      direction: 'down',
      ratioBelow: 0.5,
      mergeWithinMinutes: 0,
      historyDays: 14,
      coldStartDays: 7,
      required: { of: 2, atLeast: 2 },
    },
  },
  {
    id: 'R22',
    kind: 'sustained',
    title: 'Cold home',
    description:
      'Room below 18 °C for more than 4 hours of the occupied 07:00-23:00 day within 24 hours [D]; the "2 days in 3" repeat of the source is not required (earlier, not later). Source: docs/domain.md B1 R22 (UKHSA/WHO/HHSRS via A7); P3.',
    priority: 'P3',
    appliesTo: { deviceTypes: ['environment-sensor'] },
    params: { metric: 'temperature', below: 18, forMinutes: 240, withinMinutes: 1440, window: { start: '07:00', end: '23:00' } },
  },
  {
    id: 'R22-16',
    kind: 'sustained',
    title: 'Cold home: below 16 °C',
    description: 'Room below 16 °C for more than 2 hours: same-day call [D]. Source: docs/domain.md B1 R22 (HHSRS serious < 16 °C, Switchee under-heated < 16 °C via A7); same day → P2.',
    priority: 'P2',
    appliesTo: { deviceTypes: ['environment-sensor'] },
    params: { metric: 'temperature', below: 16, forMinutes: 120, withinMinutes: 120 },
  },
  {
    id: 'R22-10',
    kind: 'threshold',
    title: 'Cold home: below 10 °C',
    description: 'Any reading below 10 °C (hypothermia risk); clears at 12 °C. Source: docs/domain.md B1 R22 ("< 10 °C → P2"; HHSRS bands via A7).',
    priority: 'P2',
    appliesTo: { deviceTypes: ['environment-sensor'] },
    params: { metric: 'temperature', below: 10, clearAt: 12 },
  },
  {
    id: 'R23',
    kind: 'sustained',
    title: 'Hot bedroom at night',
    description:
      'Above 26 °C for 3 hours or more between 22:00 and 07:00 (one night; the "2 consecutive nights" repeat of the source is not required). Source: docs/domain.md B1 R23 (CIBSE TM59 bedroom limit via A7); P3.',
    priority: 'P3',
    appliesTo: { deviceTypes: ['environment-sensor'] },
    params: { metric: 'temperature', above: 26, forMinutes: 180, withinMinutes: 720, window: { start: '22:00', end: '07:00' } },
  },
]
