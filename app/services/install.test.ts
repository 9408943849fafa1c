import { describe, expect, it } from 'vitest'
import { LookoutError } from '../../lib/errors.ts'
import { createLogger } from '../../lib/logger.ts'
import { ensureBinary, findBinary } from './install.ts'

const log = createLogger('silent')

describe('findBinary', () => {
  it('finds a program on PATH and gives its absolute path', async () => {
    const found = await findBinary('node')
    expect(found).toMatch(/^\/.*\/node$/)
  })

  it('gives undefined for a program that is nowhere', async () => {
    expect(await findBinary('lookout-no-such-program', { PATH: '/nonexistent' })).toBeUndefined()
  })
})

describe('ensureBinary', () => {
  it('returns an installed program without installing anything', async () => {
    expect(await ensureBinary('node', 'nodejs', 'NODE_URL', { autoInstall: 'no', log })).toMatch(/\/node$/)
  })

  it('stops with a message naming the package, the variable and docker compose when it may not install', async () => {
    let caught: unknown
    try {
      await ensureBinary('lookout-no-such-server', 'lookout-no-such-package', 'SOME_URL', { autoInstall: 'no', log })
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(LookoutError)
    const err = caught as LookoutError
    expect(err.code).toBe('SERVICE_MISSING')
    expect(err.message).toContain('lookout-no-such-server not found')
    expect(err.message).toContain('LOOKOUT_AUTO_INSTALL=0')
    expect(err.message).toContain('apt-get install lookout-no-such-package')
    expect(err.message).toContain('set SOME_URL')
    expect(err.message).toContain('docker compose up')
  })
})
