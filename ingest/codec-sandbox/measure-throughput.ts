/**
 * Decodes per second through the codec sandbox for a small TTN-style codec: one call at a time
 * (the round trip of a single uplink) and pipelined (many in flight, as ingest sends them).
 * Run: node --import tsx ingest/codec-sandbox/measure-throughput.ts [seconds per phase]
 */
import { createCodecSandbox } from './sandbox.ts'

const SMALL_CODEC = `
function decodeUplink(input) {
  var b = input.bytes;
  if (input.fPort !== 85) return { errors: ['unknown fPort ' + input.fPort] };
  var t = (b[0] << 8) | b[1];
  if (t > 0x7fff) t -= 0x10000;
  return { data: { temperature: t / 10, humidity: b[2] / 2, battery: b[3] } };
}`
const INPUT = { bytes: [0x00, 0xd2, 0x64, 0x5a, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08], fPort: 85 }

async function measure(name: string, seconds: number, step: () => Promise<number>): Promise<void> {
  const until = performance.now() + seconds * 1000
  const started = performance.now()
  let calls = 0
  while (performance.now() < until) calls += await step()
  const elapsed = (performance.now() - started) / 1000
  console.log(`${name}: ${Math.round(calls / elapsed)} decodes/s, ${((elapsed * 1e6) / calls).toFixed(1)} µs per decode (${calls} in ${elapsed.toFixed(1)} s)`)
}

const seconds = Number(process.argv[2] ?? 3)
const sandbox = createCodecSandbox()
const loaded = await sandbox.load('bench/small', SMALL_CODEC)
if (!loaded.ok) throw new Error(loaded.reason)
for (let i = 0; i < 2000; i++) await sandbox.decode('bench/small', INPUT) // warm up both threads

await measure('one at a time', seconds, async () => {
  await sandbox.decode('bench/small', INPUT)
  return 1
})
for (const inFlight of [100, 1000]) {
  await measure(`${inFlight} in flight`, seconds, async () => {
    await Promise.all(Array.from({ length: inFlight }, () => sandbox.decode('bench/small', INPUT)))
    return inFlight
  })
}
await sandbox.close()
