import net from 'node:net'

/** A TCP port on 127.0.0.1 that nothing listens on now: `preferred` when it is free, else one the OS picks. */
export async function findFreePort(preferred?: number): Promise<number> {
  const tryListen = (port: number) =>
    new Promise<number | undefined>((resolve) => {
      const server = net.createServer()
      server.once('error', () => resolve(undefined))
      server.listen(port, '127.0.0.1', () => {
        const address = server.address()
        const chosen = typeof address === 'object' && address ? address.port : undefined
        server.close(() => resolve(chosen))
      })
    })
  if (preferred) {
    const port = await tryListen(preferred)
    if (port) return port
  }
  const port = await tryListen(0)
  if (!port) throw new Error('no free TCP port on 127.0.0.1')
  return port
}
