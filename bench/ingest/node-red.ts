/**
 * Node-RED for the second reference, installed on first use into bench/.cache/node-red (gitignored)
 * and started headless: no editor, no admin API, no credential secret, a generated flow.
 *
 * The flow does Lookout's job the way a Node-RED user would build it:
 *   mqtt in (devices/+/telemetry, QoS 1, from Mosquitto) → json → function (fields + tags
 *   tenant, device from the topic) → influxdb out (node-red-contrib-influxdb, InfluxDB 1.x).
 * `influxdb out` writes each message as its own HTTP request with no timestamp, so InfluxDB stamps
 * it on arrival (nanoseconds): two readings of one device never share a timestamp.
 */
import { spawn } from 'node:child_process'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { findFreePort } from '../../app/services/index.ts'
import { BENCH_TENANT } from './influx.ts'
import { startProcess, waitUntil, type Proc, type Scope } from './processes.ts'
import { logTail, progress } from './common.ts'

/** Node-RED 5 needs Node 22; 4.1 is the line for Node 20. */
const PINNED = { 'node-red': '4.1.8', 'node-red-contrib-influxdb': '0.7.0' }
export const CACHE_DIR = path.resolve(import.meta.dirname, '../.cache/node-red')

async function installedVersion(pkg: string): Promise<string | undefined> {
  try {
    const manifest = JSON.parse(await readFile(path.join(CACHE_DIR, 'node_modules', pkg, 'package.json'), 'utf8')) as { version?: string }
    return manifest.version
  } catch {
    return undefined
  }
}

/** Installs the pinned Node-RED and InfluxDB nodes into the cache unless they are there. Returns the Node-RED version. */
export async function ensureNodeRed(): Promise<string> {
  const missing = []
  for (const [pkg, version] of Object.entries(PINNED)) if ((await installedVersion(pkg)) !== version) missing.push(pkg)
  if (missing.length > 0) {
    progress('node-red', `installing ${Object.entries(PINNED).map(([p, v]) => `${p}@${v}`).join(' and ')} into ${CACHE_DIR} (once)`)
    await mkdir(CACHE_DIR, { recursive: true })
    await writeFile(path.join(CACHE_DIR, 'package.json'), `${JSON.stringify({ name: 'lookout-bench-node-red', private: true, dependencies: PINNED }, null, 2)}\n`)
    await new Promise<void>((resolve, reject) => {
      const npm = spawn('npm', ['install', '--prefix', CACHE_DIR, '--omit=dev', '--no-audit', '--no-fund', '--loglevel=error'], { stdio: ['ignore', process.stderr, process.stderr] })
      npm.once('error', reject)
      npm.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`npm install of Node-RED exited with ${code}`))))
    })
  }
  return PINNED['node-red']
}

function flow(mqttPort: number, influxPort: number, database: string) {
  const toPoint = [
    "// devices/<id>/telemetry → [fields, tags] for influxdb out",
    "const device = msg.topic.split('/')[1];",
    `msg.payload = [msg.payload, { tenant: '${BENCH_TENANT}', device }];`,
    'return msg;',
  ].join('\n')
  // ids must not equal any property value (Node-RED would take it for a reference to that node)
  return [
    { id: 'nr-tab', type: 'tab', label: 'ingest' },
    {
      id: 'nr-broker',
      type: 'mqtt-broker',
      name: 'mosquitto',
      broker: '127.0.0.1',
      port: String(mqttPort),
      clientid: 'node-red-bench',
      autoConnect: true,
      usetls: false,
      protocolVersion: '4',
      keepalive: '60',
      cleansession: true,
    },
    { id: 'nr-influx', type: 'influxdb', hostname: '127.0.0.1', port: String(influxPort), protocol: 'http', database, name: 'influx', usetls: false, influxdbVersion: '1.x' },
    { id: 'nr-in', type: 'mqtt in', z: 'nr-tab', name: 'telemetry', topic: 'devices/+/telemetry', qos: '1', datatype: 'utf8', broker: 'nr-broker', nl: false, rap: false, inputs: 0, wires: [['nr-json']] },
    { id: 'nr-json', type: 'json', z: 'nr-tab', property: 'payload', action: 'obj', pretty: false, wires: [['nr-fn']] },
    { id: 'nr-fn', type: 'function', z: 'nr-tab', name: 'to point', func: toPoint, outputs: 1, wires: [['nr-out']] },
    { id: 'nr-out', type: 'influxdb out', z: 'nr-tab', influxdb: 'nr-influx', name: 'store', measurement: 'telemetry', precision: '', retentionPolicy: '', wires: [] },
  ]
}

export async function startNodeRed(scope: Scope, dir: string, options: { mqttPort: number; influxPort: number; database: string }): Promise<Proc> {
  const userDir = path.join(dir, 'node-red')
  await mkdir(userDir, { recursive: true })
  const flowFile = path.join(userDir, 'flows.json')
  await writeFile(flowFile, JSON.stringify(flow(options.mqttPort, options.influxPort, options.database), null, 2))
  const settingsFile = path.join(userDir, 'settings.js')
  const settings = {
    uiHost: '127.0.0.1',
    uiPort: await findFreePort(),
    httpAdminRoot: false,
    httpNodeRoot: false,
    userDir,
    flowFile,
    credentialSecret: false,
    logging: { console: { level: 'info', metrics: false, audit: false } },
    externalModules: { autoInstall: false, palette: { allowInstall: false } },
    diagnostics: { enabled: false },
    runtimeState: { enabled: false },
  }
  await writeFile(settingsFile, `module.exports = ${JSON.stringify(settings, null, 2)}\n`)
  const logFile = path.join(dir, 'node-red.log')
  const proc = await startProcess(scope, {
    name: 'node-red',
    command: process.execPath,
    args: [path.join(CACHE_DIR, 'node_modules/node-red/red.js'), '--settings', settingsFile, '--userDir', userDir, flowFile],
    cwd: userDir,
    logFile,
  })
  const connected = await waitUntil(async () => {
    if (!proc.running()) throw new Error(`Node-RED exited during start; ${await logTail(logFile)}`)
    return /Connected to broker/.test(await readFile(logFile, 'utf8'))
  }, 60_000, 250)
  if (!connected) throw new Error(`Node-RED did not connect to Mosquitto within 60 s; ${await logTail(logFile)}`)
  const startErrors = (await readFile(logFile, 'utf8')).split('\n').filter((line) => /\[error\]|^Error:/.test(line))
  if (startErrors.length > 0) throw new Error(`Node-RED could not start the flow:\n${startErrors.join('\n')}`)
  return proc
}
