/**
 * The codec sandbox with its real worker thread and QuickJS engines: codecs that loop, allocate
 * without bound, throw, reach for the host or return garbage are refused with the right code,
 * and the sandbox goes on serving the other codecs.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { LookoutError } from '../../lib/errors.ts'
import { createCodecSandbox, type CodecSandbox } from './index.ts'

const INPUT = { bytes: [1, 2, 3], fPort: 1 }

/** A codec as a tenant administrator would write one for a Milesight EM300-TH (channel, type, value). */
const EM300_TH = `
function decodeUplink(input) {
  var bytes = input.bytes, data = {};
  for (var i = 0; i < bytes.length;) {
    var channel = bytes[i++], type = bytes[i++];
    if (channel === 0x01 && type === 0x75) { data.battery = bytes[i]; i += 1; }
    else if (channel === 0x03 && type === 0x67) { var t = bytes[i] | (bytes[i + 1] << 8); if (t > 0x7fff) t -= 0x10000; data.temperature = t / 10; i += 2; }
    else if (channel === 0x04 && type === 0x68) { data.humidity = bytes[i] / 2; i += 1; }
    else return { errors: ['unknown channel ' + channel + ' type ' + type] };
  }
  return { data: data };
}`

const GOOD = 'function decodeUplink(input) { return { data: { sum: input.bytes.reduce(function (a, b) { return a + b }, 0), port: input.fPort } } }'

async function failure(promise: Promise<unknown>): Promise<LookoutError> {
  try {
    await promise
  } catch (err) {
    if (err instanceof LookoutError) return err
    throw err
  }
  throw new Error('expected the call to fail')
}

describe('codec sandbox', () => {
  let sandbox: CodecSandbox
  beforeAll(async () => {
    sandbox = createCodecSandbox({ memoryMb: 32 })
    expect(await sandbox.load('good', GOOD)).toEqual({ ok: true })
  })
  afterAll(() => sandbox.close())

  it('decodes the device repository example with a codec in The Things Network format', async () => {
    const fixture = path.join(import.meta.dirname, '../codecs/fixtures/milesight-iot/em300-th-codec.yaml')
    const doc = parse(readFileSync(fixture, 'utf8')) as { uplinkDecoder: { examples: { input: { bytes: number[]; fPort: number }; output: unknown }[] } }
    expect(await sandbox.load('milesight/em300-th', EM300_TH)).toEqual({ ok: true })
    for (const example of doc.uplinkDecoder.examples) {
      expect(await sandbox.decode('milesight/em300-th', example.input)).toEqual(example.output)
    }
    expect(await sandbox.decode('milesight/em300-th', { bytes: [0x09, 0x09], fPort: 1 })).toEqual({ errors: ['unknown channel 9 type 9'] })
  })

  it('finds decodeUplink declared with const, and passes warnings through', async () => {
    expect(await sandbox.load('arrow', 'const decodeUplink = (input) => ({ data: { n: input.bytes.length }, warnings: ["w"] })')).toEqual({ ok: true })
    expect(await sandbox.decode('arrow', INPUT)).toEqual({ data: { n: 3 }, warnings: ['w'] })
  })

  describe('load refuses a codec', () => {
    it.each([
      ['that never defines decodeUplink', 'function decode(input) { return { data: {} } }', /does not define a function decodeUplink/],
      ['whose decodeUplink is no function', 'var decodeUplink = 5', /does not define a function decodeUplink/],
      ['with a syntax error, saying where', 'function decodeUplink(input) {\n  return { data: { ] }\n}', /SyntaxError.*codec\.js:2/],
      ['whose top-level code throws', 'throw new Error("boom")', /top-level code threw Error: boom/],
      ['whose top-level code loops forever', 'while (true) {}\nfunction decodeUplink() {}', /top-level code did not finish within 50 ms/],
      ['whose top-level code allocates without bound', 'var a = []; while (true) a.push(new ArrayBuffer(1 << 20))', /top-level code ran out of memory \(the limit is 32 MiB\)/],
      ['over 256 KiB of source', `function decodeUplink() { return { data: {} } }\n//${'x'.repeat(256 * 1024)}`, /over the limit of 262144/],
    ])('%s', async (_, source, reason) => {
      const loaded = await sandbox.load('refused', source)
      expect(loaded.ok).toBe(false)
      if (!loaded.ok) expect(loaded.reason).toMatch(reason)
      expect((await failure(sandbox.decode('refused', INPUT))).code).toBe('CODEC_NOT_LOADED')
      expect(await sandbox.decode('good', INPUT)).toEqual({ data: { sum: 6, port: 1 } })
    })
  })

  it('replaces a codec reloaded under the same id, and keeps it when the reload fails', async () => {
    expect(await sandbox.load('versioned', 'function decodeUplink() { return { data: { version: 1 } } }')).toEqual({ ok: true })
    expect(await sandbox.load('versioned', 'function decodeUplink() { return { data: { version: 2 } } }')).toEqual({ ok: true })
    expect(await sandbox.decode('versioned', INPUT)).toEqual({ data: { version: 2 } })
    expect((await sandbox.load('versioned', 'function decodeUplink( {')).ok).toBe(false)
    expect(await sandbox.decode('versioned', INPUT)).toEqual({ data: { version: 2 } })
  })

  describe('decode fails, and the sandbox goes on serving other codecs, when decodeUplink', () => {
    it.each([
      ['loops forever', 'while (true) {}', 'CODEC_TIMEOUT', /did not finish within 50 ms/],
      ['loops forever in a regular expression', 'return { data: { m: /(a+)+$/.test("a".repeat(40) + "b") } }', 'CODEC_TIMEOUT', /did not finish within 50 ms/],
      ['allocates without bound', 'var a = []; while (true) a.push(new ArrayBuffer(1 << 20))', 'CODEC_MEMORY', /ran out of memory \(the limit is 32 MiB\)/],
      ['allocates a gigabyte at once', 'return { data: { n: new ArrayBuffer(1 << 30).byteLength } }', 'CODEC_MEMORY', /ran out of memory/],
      ['recurses without end', 'function f(n) { return f(n + 1) + 1 } return f(0)', 'CODEC_FAILED', /threw InternalError: stack overflow/],
      ['throws', 'return input.missing.field', 'CODEC_FAILED', /threw TypeError: cannot read property 'field' of undefined \(at decodeUplink \(codec\.js:1/],
      ['throws a string', 'throw "bad payload"', 'CODEC_FAILED', /threw bad payload/],
      ['returns a function', 'return function () {}', 'CODEC_FAILED', /returned a function, not an object/],
      ['returns an array', 'return [1, 2]', 'CODEC_FAILED', /returned an array, not an object/],
      ['returns nothing', 'return', 'CODEC_FAILED', /returned a undefined, not an object/],
      ['returns a promise', 'return Promise.resolve({ data: {} })', 'CODEC_FAILED', /returned a promise/],
      ['returns a function in data', 'return { data: { f: function () {} } }', 'CODEC_FAILED', /holds a function at "f"/],
      ['returns a cyclic object', 'var d = {}; d.self = d; return { data: d }', 'CODEC_FAILED', /circular/],
      ['returns NaN', 'return { data: { t: 0 / 0 } }', 'CODEC_FAILED', /holds NaN at "t"/],
      ['returns a BigInt', 'return { data: { n: 1n } }', 'CODEC_FAILED', /holds a BigInt at "n"/],
      ['returns a huge object', 'return { data: { list: new Array(30000).fill(0) } }', 'CODEC_FAILED', /more than 20000 values/],
      ['returns a huge string', 'return { data: { s: "x".repeat(100000) } }', 'CODEC_FAILED', /over the limit of 65536/],
      ['returns a getter that throws', 'return { data: { get t() { throw new Error("no") } } }', 'CODEC_FAILED', /Error: no/],
      ['returns data as an array', 'return { data: [1] }', 'CODEC_FAILED', /data must be an object/],
      ['returns errors as a string', 'return { errors: "bad" }', 'CODEC_FAILED', /errors must be an array of strings/],
      ['returns neither data nor errors', 'return {}', 'CODEC_FAILED', /neither data nor errors/],
    ])('%s', async (name, body, code, message) => {
      const codecId = `bad/${name}`
      expect(await sandbox.load(codecId, `function decodeUplink(input) { ${body} }`)).toEqual({ ok: true })
      const err = await failure(sandbox.decode(codecId, INPUT))
      expect(err.code).toBe(code)
      expect(err.message).toMatch(message)
      expect(err.retryable).toBe(false)
      expect(await sandbox.decode('good', INPUT)).toEqual({ data: { sum: 6, port: 1 } })
    })
  })

  it('turns a Date in the result into its ISO string, as JSON does', async () => {
    expect(await sandbox.load('dated', 'function decodeUplink() { return { data: { at: new Date(0) } } }')).toEqual({ ok: true })
    expect(await sandbox.decode('dated', INPUT)).toEqual({ data: { at: '1970-01-01T00:00:00.000Z' } })
  })

  describe('a codec reaches nothing of the host', () => {
    it.each([
      ['require', "require('node:fs')", /ReferenceError: 'require' is not defined/],
      ['process', 'process.exit(1)', /ReferenceError: 'process' is not defined/],
      ['globalThis.process', 'globalThis.process.exit(1)', /TypeError/],
      ['eval', "eval('1')", /ReferenceError: 'eval' is not defined/],
      ['new Function', "new Function('return 1')()", /EvalError: code generation from strings is disabled/],
      ['a function constructor', "(function () {}).constructor('return 1')()", /EvalError: code generation from strings is disabled/],
      ['the global object constructor', "this.constructor.constructor('return process')()", /EvalError: code generation from strings is disabled/],
      ['an async function constructor', "Object.getPrototypeOf(async function () {}).constructor('return 1')", /EvalError: code generation from strings is disabled/],
      ['import()', "import('node:fs')", /returned a promise/],
    ])('%s', async (name, expression, message) => {
      const codecId = `escape/${name}`
      expect(await sandbox.load(codecId, `function decodeUplink(input) { return ${expression} }`)).toEqual({ ok: true })
      const err = await failure(sandbox.decode(codecId, INPUT))
      expect(err.code).toBe('CODEC_FAILED')
      expect(err.message).toMatch(message)
    })

    it('has no timers, no WebAssembly, no network and no module loading', async () => {
      const source = `
        var imported = 'pending';
        function decodeUplink() {
          import('node:child_process').then(function () { imported = 'loaded' }, function (e) { imported = String(e) });
          return { data: { globals: [typeof setTimeout, typeof setImmediate, typeof queueMicrotask, typeof WebAssembly, typeof fetch, typeof require, typeof module], imported: imported } };
        }`
      expect(await sandbox.load('escape/globals', source)).toEqual({ ok: true })
      await sandbox.decode('escape/globals', INPUT)
      const { data } = await sandbox.decode('escape/globals', INPUT)
      expect(data).toEqual({ globals: Array(7).fill('undefined'), imported: "ReferenceError: could not load module 'node:child_process'" })
    })
  })

  it('gives each codec its own globals and prototypes', async () => {
    const polluter = `
      globalThis.shared = 'from the polluter';
      Object.prototype.polluted = true;
      Array.prototype.map = function () { return ['hijacked'] };
      JSON.stringify = function () { return 'hijacked' };
      function decodeUplink() { return { data: { shared: shared } } }`
    const victim = 'function decodeUplink() { return { data: { shared: typeof shared, polluted: ({}).polluted === true, mapped: [1].map(function (x) { return x + 1 }) } } }'
    expect(await sandbox.load('polluter', polluter)).toEqual({ ok: true })
    expect(await sandbox.load('victim', victim)).toEqual({ ok: true })
    expect(await sandbox.decode('polluter', INPUT)).toEqual({ data: { shared: 'from the polluter' } })
    expect(await sandbox.decode('victim', INPUT)).toEqual({ data: { shared: 'undefined', polluted: false, mapped: [2] } })
  })

  it('starts a codec that ran out of memory afresh from its source, while other codecs keep their state', async () => {
    const counter = 'var n = 0; function decodeUplink() { n += 1; return { data: { n: n } } }'
    const leaker = 'var kept = []; function decodeUplink() { kept.push(new Uint8Array(8 << 20)); return { data: { kept: kept.length } } }'
    expect(await sandbox.load('counter', counter)).toEqual({ ok: true })
    expect(await sandbox.load('leaker', leaker)).toEqual({ ok: true })
    const restarts = sandbox.stats().restarts
    expect(await sandbox.decode('counter', INPUT)).toEqual({ data: { n: 1 } })
    let kept = 0
    let err: LookoutError | undefined
    while (err === undefined && kept < 10) {
      try {
        kept = ((await sandbox.decode('leaker', INPUT)).data as { kept: number }).kept
      } catch (e) {
        err = e as LookoutError
      }
    }
    expect(kept).toBeGreaterThan(1)
    expect(err?.code).toBe('CODEC_MEMORY')
    expect(await sandbox.decode('leaker', INPUT)).toEqual({ data: { kept: 1 } })
    expect(await sandbox.decode('counter', INPUT)).toEqual({ data: { n: 2 } })
    expect(sandbox.stats().restarts).toBe(restarts)
  })

  it('pipelines many calls and answers each with its own result', async () => {
    const inputs = Array.from({ length: 2000 }, (_, i) => ({ bytes: [i % 256, (i >> 8) % 256], fPort: (i % 223) + 1 }))
    const outputs = await Promise.all(inputs.map((input) => sandbox.decode('good', input)))
    outputs.forEach((output, i) => expect(output).toEqual({ data: { sum: inputs[i]!.bytes[0]! + inputs[i]!.bytes[1]!, port: inputs[i]!.fPort } }))
  })

  it('refuses malformed input and unknown codecs', async () => {
    expect((await failure(sandbox.decode('good', { bytes: [1, 256], fPort: 1 }))).code).toBe('CODEC_INPUT_INVALID')
    expect((await failure(sandbox.decode('good', { bytes: [1], fPort: 1.5 }))).code).toBe('CODEC_INPUT_INVALID')
    const unknown = await failure(sandbox.decode('nobody', INPUT))
    expect([unknown.code, unknown.message]).toEqual(['CODEC_NOT_LOADED', 'codec "nobody": no codec of this id is loaded'])
  })
})

describe('codec sandbox watchdog', () => {
  it('restarts a worker that stops answering, fails the calls in flight, unloads the culprit and keeps the others', async () => {
    const warnings: string[] = []
    const sandbox = createCodecSandbox({ log: { warn: (_, message) => warnings.push(message) } })
    try {
      expect(await sandbox.load('good', GOOD)).toEqual({ ok: true })
      // joining 2^31 holes runs inside the engine's C code, where the time limit's interrupt never comes
      expect(await sandbox.load('stuck', 'function decodeUplink() { new Array(2147483647).join(""); return { data: {} } }')).toEqual({ ok: true })
      const started = Date.now()
      const [stuck, queued] = await Promise.all([failure(sandbox.decode('stuck', INPUT)), failure(sandbox.decode('good', INPUT))])
      expect(Date.now() - started).toBeLessThan(5000)
      expect([stuck.code, stuck.message]).toEqual(['CODEC_TIMEOUT', 'codec "stuck": decodeUplink did not answer within 1000 ms; the codec was unloaded'])
      expect([queued.code, queued.retryable]).toEqual(['CODEC_SANDBOX_RESTARTED', true])
      expect(warnings).toEqual(['codec sandbox: a codec did not answer within 1000 ms; restarting the worker'])
      expect(sandbox.stats()).toMatchObject({ loaded: 1, restarts: 1 })

      expect(await sandbox.decode('good', INPUT)).toEqual({ data: { sum: 6, port: 1 } })
      expect((await failure(sandbox.decode('stuck', INPUT))).message).toMatch(/was unloaded; load it again/)
      expect(await sandbox.load('stuck', 'function decodeUplink() { return { data: { fixed: true } } }')).toEqual({ ok: true })
      expect(await sandbox.decode('stuck', INPUT)).toEqual({ data: { fixed: true } })
    } finally {
      await sandbox.close()
    }
  }, 20_000)

  it('fails calls in flight and later calls once closed', async () => {
    const sandbox = createCodecSandbox()
    const inFlight = failure(sandbox.decode('good', INPUT))
    await sandbox.close()
    expect((await inFlight).code).toBe('CODEC_SANDBOX_CLOSED')
    expect((await failure(sandbox.decode('good', INPUT))).code).toBe('CODEC_SANDBOX_CLOSED')
    await expect(sandbox.load('good', GOOD)).rejects.toMatchObject({ code: 'CODEC_SANDBOX_CLOSED' })
  })

  it.each([
    [{ memoryMb: 8 }, /memoryMb must be an integer of at least 16/],
    [{ timeoutMs: 0 }, /timeoutMs must be an integer of at least 1/],
  ])('refuses options %o', (options, message) => {
    expect(() => createCodecSandbox(options)).toThrow(message)
  })
})
