/** Netvox water-leak probe state: one byte per probe, 0x01 water detected. */
export function waterLeak(byte: number): string {
  return byte === 0x01 ? 'Leak' : 'NoLeak'
}
