/**
 * Pack `facilities`: building and asset rules for facilities managers and water-hygiene contractors,
 * after docs/domain.md B4 (F01-F23) with default priorities per B0/B4. Numbers marked [D] are
 * our design.
 *
 * Subjects are devices and carry no role, so rules for one kind of pipe (a hot or cold outlet, a
 * calorifier flow or return, a heating flow) ship disabled and are enabled per device with an
 * override.
 */
import type { RuleDefinition } from '../definitions/schema.ts'

const HEATING_SEASON = [10, 11, 12, 1, 2, 3, 4]

export const FACILITIES_RULES: readonly RuleDefinition[] = [
  {
    id: 'F01',
    kind: 'sustained',
    title: 'Damp risk: humidity above 70 %',
    description: 'Room humidity above 70 % for more than 2 hours in any 12 hours, October to April. Source: docs/domain.md B4 F01 (ADF 2006 criterion via A7, UCL); P3.',
    priority: 'P3',
    appliesTo: { deviceTypes: ['environment-sensor'] },
    params: { metric: 'humidity', above: 70, forMinutes: 120, withinMinutes: 720, months: HEATING_SEASON },
  },
  {
    id: 'F01-90',
    kind: 'sustained',
    title: 'Damp risk: humidity above 90 %',
    description: 'Room humidity above 90 % for more than 1 hour in any 12 hours, October to April. Source: docs/domain.md B4 F01 (ADF 2006 criterion via A7, UCL); P3.',
    priority: 'P3',
    appliesTo: { deviceTypes: ['environment-sensor'] },
    params: { metric: 'humidity', above: 90, forMinutes: 60, withinMinutes: 720, months: HEATING_SEASON },
  },
  {
    id: 'F11',
    kind: 'immediate',
    title: 'Water leak',
    description:
      'A leak sensor reports a leak (event, or the leak level turning 1); the level returning to 0 clears. Right to Repair: leak from pipe/tank/cistern within 1 working day. Source: docs/domain.md B4 F11 (A6; codecs D: EM300-MLD, R718WA2, R311W); P2 (P1 if flowing under a sheltered flat: override).',
    priority: 'P2',
    appliesTo: { deviceTypes: ['leak-sensor'] },
    params: { eventTypes: ['flood.detected'], metric: { name: 'leak', equals: 1 } },
  },
  {
    id: 'F12',
    kind: 'legionella-draw',
    title: 'Legionella: hot outlet below 50 °C',
    description:
      'A hot sentinel outlet not at 50 °C within 60 seconds of the flow starting (55 °C in care settings: override minC); a passing draw clears; failures on 3 days raise a second alert at P2. Hot outlet probes only: enable per device. Source: docs/domain.md B4 F12 (HSE L8/HSG274 via A7); P3, "P2 if repeated 3 days".',
    priority: 'P3',
    appliesTo: { deviceTypes: ['water-temperature-sensor'] },
    enabled: false,
    escalations: [{ keySuffix: ':repeated', priority: 'P2' }],
    params: { outlet: 'hot', minC: 50, afterSeconds: 60 },
  },
  {
    id: 'F13',
    kind: 'legionella-calorifier',
    title: 'Legionella: calorifier too cool',
    description:
      'Calorifier flow below 60 °C or return below 50 °C for more than 30 minutes [D duration]; both back in range clears. Reads the flow_temperature and return_temperature metrics of a calorifier probe (other devices never send them). Source: docs/domain.md B4 F13 (HSE L8/HSG274 via A7); P2.',
    priority: 'P2',
    appliesTo: { deviceTypes: ['water-temperature-sensor'] },
    params: { flowMinC: 60, returnMinC: 50, forMinutes: 30 },
  },
  {
    id: 'F14',
    kind: 'legionella-draw',
    title: 'Legionella: cold outlet above 20 °C',
    description:
      'A cold outlet not down to 20 °C within 2 minutes of the flow starting; a passing draw clears. Cold outlet probes only: enable per device. Source: docs/domain.md B4 F14 (HSE L8/HSG274 via A7); P3.',
    priority: 'P3',
    appliesTo: { deviceTypes: ['water-temperature-sensor'] },
    enabled: false,
    params: { outlet: 'cold', maxC: 20, afterSeconds: 120 },
  },
  {
    id: 'F15',
    kind: 'outlet-unused',
    title: 'Little-used outlet: flush',
    description:
      'No draw (water flow event) for 7 days → weekly flush task; the next draw clears. Outlets with only a temperature probe need flowStart.temperatureChange (override per device). Outlet sensors only: enable per device. Source: docs/domain.md B4 F15 (A7: little-used outlet ≥ 7 days, flush weekly); P3.',
    priority: 'P3',
    appliesTo: { deviceTypes: ['water-temperature-sensor'] },
    enabled: false,
    params: { days: 7 },
  },
  {
    id: 'F16',
    kind: 'sustained',
    title: 'Loss of heating or hot water',
    description:
      'Heating flow temperature below 40 °C (a 60 °C setpoint − 20 K: override `below` for other setpoints) for more than 2 hours [D] → repair job, Right to Repair 1 working day (31 Oct-1 May) / 3 otherwise. Heating flow probes only: enable per device. Source: docs/domain.md B4 F16 (A6 RtR); P2.',
    priority: 'P2',
    appliesTo: { deviceTypes: ['water-temperature-sensor'] },
    enabled: false,
    params: { metric: 'water_temperature', below: 40, forMinutes: 120, withinMinutes: 120 },
  },
]
