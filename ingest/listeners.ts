/**
 * The broker's listeners: plain MQTT over TCP, MQTT over TLS (when a certificate and key are
 * configured) and MQTT over WebSocket (path /mqtt, when a port is configured). Every connection,
 * whatever the transport, passes the frame guard before the broker reads a byte of it.
 */
import { readFileSync } from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import type { Duplex } from 'node:stream'
import tls from 'node:tls'
import { createWebSocketStream, WebSocketServer } from 'ws'

export interface ListenerOptions {
  host: string
  port: number
  tls?: { port: number; certFile: string; keyFile: string } | undefined
  wsPort?: number | undefined
}

export interface Listeners {
  ports: { mqtt: number; mqtts?: number | undefined; ws?: number | undefined }
  close(): Promise<void>
}

function listen(server: net.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      const address = server.address()
      resolve(typeof address === 'object' && address ? address.port : port)
    })
  })
}

function closeServer(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()))
}

/** `accept` receives each new connection as a duplex stream (TCP socket, TLS socket or WebSocket stream). */
export async function startListeners(options: ListenerOptions, accept: (connection: Duplex, remoteAddress: string | undefined) => void): Promise<Listeners> {
  const servers: net.Server[] = []
  const closers: (() => Promise<void>)[] = []
  try {
    // the frame guard sits between the parser and the socket, so aedes's corked PUBACK pieces reach
    // the socket as separate writes: without TCP_NODELAY, Nagle and delayed ACKs add ~40 ms each
    const tcp = net.createServer({ noDelay: true }, (socket) => accept(socket, socket.remoteAddress))
    servers.push(tcp)
    const ports: Listeners['ports'] = { mqtt: await listen(tcp, options.port, options.host) }

    if (options.tls) {
      const secure = tls.createServer({ cert: readFileSync(options.tls.certFile), key: readFileSync(options.tls.keyFile), minVersion: 'TLSv1.2', noDelay: true }, (socket) =>
        accept(socket, socket.remoteAddress),
      )
      servers.push(secure)
      ports.mqtts = await listen(secure, options.tls.port, options.host)
    }

    if (options.wsPort !== undefined) {
      const server = http.createServer((_req, res) => {
        res.writeHead(426, { 'content-type': 'text/plain' }).end('MQTT over WebSocket: connect to /mqtt with subprotocol mqtt\n')
      })
      const wss = new WebSocketServer({ server, path: '/mqtt', handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : false) })
      wss.on('connection', (ws, req) => accept(createWebSocketStream(ws), req.socket.remoteAddress))
      servers.push(server)
      closers.push(
        () =>
          new Promise<void>((resolve) => {
            for (const client of wss.clients) client.terminate()
            wss.close(() => resolve())
          }),
      )
      ports.ws = await listen(server, options.wsPort, options.host)
    }

    return {
      ports,
      async close() {
        await Promise.all([...closers.map((c) => c()), ...servers.map(closeServer)])
      },
    }
  } catch (err) {
    await Promise.all(servers.map((s) => (s.listening ? closeServer(s) : Promise.resolve())))
    throw err
  }
}
