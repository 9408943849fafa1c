/**
 * The one subscriber of the Mosquitto reference, run as a child process of bench/ingest.ts:
 * a QoS 1 subscription to every device's telemetry; records (device, seq, receivedAt) of each
 * message in a binary file for the parent.
 */
import { writeFile } from 'node:fs/promises'
import mqtt from 'mqtt'
import { nowMs, RECEIPT_ROW, RowLog, type SubscriberCommand, type SubscriberEvent } from './protocol.ts'

/** Resolves once the message is handed to the IPC channel, so that exiting next does not lose it. */
function send(event: SubscriberEvent): Promise<void> {
  return new Promise((resolve) => (process.send ? process.send(event, undefined, {}, () => resolve()) : resolve()))
}

type Init = Extract<SubscriberCommand, { type: 'init' }>

async function run(init: Init, stop: Promise<void>): Promise<void> {
  const log = new RowLog(RECEIPT_ROW)
  let unparsable = 0
  const client = await mqtt.connectAsync(init.brokerUrl, { clientId: 'bench-subscriber', protocolVersion: 4, clean: true, reconnectPeriod: 0 })
  const seqPattern = /"seq":(\d+)/
  client.on('message', (topic, payload) => {
    const at = nowMs()
    // devices/<id>/telemetry
    const id = topic.slice(8, topic.length - 10)
    const seq = seqPattern.exec(payload.toString())?.[1]
    if (!id.startsWith(init.devicePrefix) || seq === undefined) {
      unparsable++
      return
    }
    log.push(Number(id.slice(init.devicePrefix.length)), Number(seq), at)
  })
  await client.subscribeAsync(init.topic, { qos: 1 })
  await send({ type: 'ready' })
  const progress = setInterval(() => void send({ type: 'progress', received: log.rows }), 1000)
  await stop
  clearInterval(progress)
  await client.endAsync()
  await writeFile(init.recordFile, log.bytes())
  await send({ type: 'done', received: log.rows, unparsable })
}

const init = new Promise<Init>((resolve) => process.on('message', (m: SubscriberCommand) => m.type === 'init' && resolve(m)))
const stop = new Promise<void>((resolve) => process.on('message', (m: SubscriberCommand) => m.type === 'stop' && resolve()))
process.on('disconnect', () => process.exit(0))

try {
  await run(await init, stop)
  process.exit(0)
} catch (err) {
  await send({ type: 'failed', error: (err as Error).message })
  process.exit(1)
}
