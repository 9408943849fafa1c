/** A minimal server-sent-events reader over fetch, for the alert stream. */
export interface SseEvent {
  id?: string
  event?: string
  data: string
}

export interface SseReader {
  events: SseEvent[]
  status: number
  close(): void
}

export async function openSse(url: string, headers: Record<string, string>): Promise<SseReader> {
  const controller = new AbortController()
  const res = await fetch(url, { headers, signal: controller.signal })
  const events: SseEvent[] = []
  const reader: SseReader = { events, status: res.status, close: () => controller.abort() }
  if (!res.ok || !res.body) return reader
  const body = res.body
  void (async () => {
    const decoder = new TextDecoder()
    let buffer = ''
    try {
      for await (const chunk of body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true })
        let end: number
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          const event: SseEvent = { data: '' }
          const data: string[] = []
          for (const line of block.split('\n')) {
            if (line.startsWith('id: ')) event.id = line.slice(4)
            else if (line.startsWith('event: ')) event.event = line.slice(7)
            else if (line.startsWith('data: ')) data.push(line.slice(6))
          }
          if (data.length > 0) {
            event.data = data.join('\n')
            events.push(event)
          }
        }
      }
    } catch {
      // aborted by close()
    }
  })()
  return reader
}
