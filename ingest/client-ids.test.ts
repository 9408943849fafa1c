import { describe, expect, it } from 'vitest'
import type { Device, Integration } from '../registry/index.ts'
import { clientIdBelongsTo, ownClientId } from './client-ids.ts'
import type { Principal } from './principals.ts'

const device = (deviceId: string): Principal => ({ kind: 'device', device: { deviceId, tenant: 'council-a' } as Device })
const integration = (integrationId: string): Principal => ({ kind: 'integration', integration: { integrationId, tenant: 'council-a', kind: 'chirpstack' } as Integration })

describe('client ids', () => {
  it('names a principal by its username', () => {
    expect([ownClientId(device('pendant-001')), ownClientId(integration('Ab12Cd34Ef56'))]).toEqual(['pendant-001', 'integration:Ab12Cd34Ef56'])
  })

  const cases: { name: string; principal: Principal; clientId: string; owned: boolean }[] = [
    { name: 'a device its own id', principal: device('pendant-001'), clientId: 'pendant-001', owned: true },
    { name: 'a device its id with a suffix', principal: device('pendant-001'), clientId: 'pendant-001:bedroom', owned: true },
    { name: 'a device its id with an empty suffix', principal: device('pendant-001'), clientId: 'pendant-001:', owned: true },
    { name: 'a device an empty id (the broker assigns one)', principal: device('pendant-001'), clientId: '', owned: true },
    { name: 'a device another device\'s id', principal: device('pendant-001'), clientId: 'pendant-002', owned: false },
    { name: 'a device another id it is a prefix of, with "-"', principal: device('a-pend'), clientId: 'a-pend-1', owned: false },
    { name: 'a device another id it is a prefix of, with "."', principal: device('a-pend'), clientId: 'a-pend.1', owned: false },
    { name: 'a device a random library id', principal: device('pendant-001'), clientId: 'mqttjs_3f2a9c', owned: false },
    { name: 'a device an id differing in case', principal: device('pendant-001'), clientId: 'PENDANT-001', owned: false },
    { name: 'a device named "integration" an integration\'s id', principal: device('integration'), clientId: 'integration:Ab12Cd34Ef56', owned: false },
    { name: 'a device named "integration" its own id', principal: device('integration'), clientId: 'integration', owned: true },
    { name: 'an integration its username', principal: integration('Ab12Cd34Ef56'), clientId: 'integration:Ab12Cd34Ef56', owned: true },
    { name: 'an integration its username with a suffix', principal: integration('Ab12Cd34Ef56'), clientId: 'integration:Ab12Cd34Ef56:eu868', owned: true },
    { name: 'an integration its bare id', principal: integration('Ab12Cd34Ef56'), clientId: 'Ab12Cd34Ef56', owned: false },
    { name: 'an integration another integration\'s id', principal: integration('Ab12Cd34Ef56'), clientId: 'integration:Zz99Yy88Xx77', owned: false },
    { name: 'an integration a device\'s id', principal: integration('Ab12Cd34Ef56'), clientId: 'pendant-001', owned: false },
  ]
  it.each(cases)('$name: $owned', ({ principal, clientId, owned }) => {
    expect(clientIdBelongsTo(principal, clientId)).toBe(owned)
  })
})
