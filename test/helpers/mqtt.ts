import mqtt, { type MqttClient } from 'mqtt'

export function connectDevice(url: string, username: string, password: string, clientId = username): Promise<MqttClient> {
  return mqtt.connectAsync(url, { username, password, clientId, reconnectPeriod: 0, connectTimeout: 5000, clean: true })
}

/** Connects and resolves with the CONNACK return code of a refusal (throws if it was accepted). */
export async function refusedConnect(url: string, options: { username?: string; password?: string; clientId?: string }): Promise<number | undefined> {
  try {
    const client = await mqtt.connectAsync(url, { ...options, reconnectPeriod: 0, connectTimeout: 5000 })
    await client.endAsync()
  } catch (err) {
    return (err as { code?: number }).code
  }
  throw new Error('connection was accepted')
}

/** Resolves when the broker closes the client's connection (or rejects after `timeoutMs`). */
export function closedByBroker(client: MqttClient, timeoutMs = 3000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!client.connected) return resolve()
    const timer = setTimeout(() => reject(new Error('connection was not closed')), timeoutMs)
    client.once('close', () => {
      clearTimeout(timer)
      resolve()
    })
  })
}

/** Collects messages the client receives on `topic`. */
export async function collect(client: MqttClient, topic: string): Promise<{ topic: string; body: Record<string, unknown> }[]> {
  const messages: { topic: string; body: Record<string, unknown> }[] = []
  client.on('message', (t, payload) => messages.push({ topic: t, body: JSON.parse(payload.toString()) as Record<string, unknown> }))
  const granted = await client.subscribeAsync(topic, { qos: 0 })
  if (granted[0]?.qos === 128) throw new Error(`subscription to ${topic} refused`)
  return messages
}
