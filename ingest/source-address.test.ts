import { describe, expect, it } from 'vitest'
import { addressKey } from './source-address.ts'

describe('source address key', () => {
  const cases: { address: string | undefined; key: string }[] = [
    { address: '192.0.2.10', key: '192.0.2.10' },
    { address: '::ffff:192.0.2.10', key: '192.0.2.10' },
    { address: '::FFFF:192.0.2.10', key: '192.0.2.10' },
    { address: '2001:db8:1:2:3:4:5:6', key: '2001:db8:1:2::/64' },
    { address: '2001:db8:1:2::99', key: '2001:db8:1:2::/64' },
    { address: '2001:0db8:0001:0002:ffff:0:0:1', key: '2001:db8:1:2::/64' },
    { address: '2001:db8::1', key: '2001:db8:0:0::/64' },
    { address: 'fe80::1%eth0', key: 'fe80:0:0:0::/64' },
    { address: '::1', key: '0:0:0:0::/64' },
    { address: '64:ff9b::192.0.2.1', key: '64:ff9b:0:0::/64' },
    { address: undefined, key: 'unknown' },
    { address: '', key: 'unknown' },
  ]
  it.each(cases)('$address → $key', ({ address, key }) => {
    expect(addressKey(address)).toBe(key)
  })
})
