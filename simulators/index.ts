export { simulateDevice, type SimulationOptions, type SimulationReport } from './device-simulator.ts'
