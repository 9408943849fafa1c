/**
 * The key a connection's source address is rate-limited by. An IPv4 address (also written as an
 * IPv4-mapped IPv6 address, `::ffff:192.0.2.1`) is its own key; an IPv6 address is keyed by its /64
 * network, because one host is usually given a whole /64 and could otherwise take a fresh address
 * for every attempt. Pure.
 */
import net from 'node:net'

const MAPPED_IPV4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i

/** Expands an IPv6 address to its 8 groups of 16 bits, or undefined when it is not one. */
function ipv6Groups(address: string): number[] | undefined {
  if (!net.isIPv6(address)) return undefined
  let text = address.split('%')[0]!
  // a trailing dotted IPv4 part stands for the last two groups
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text)
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number]
    text = text.slice(0, v4.index) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head, tail] = text.split('::') as [string, string | undefined]
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)))
  const front = parse(head)
  const back = tail === undefined ? [] : parse(tail)
  const missing = 8 - front.length - back.length
  return [...front, ...Array<number>(tail === undefined ? 0 : missing).fill(0), ...back]
}

export function addressKey(address: string | undefined): string {
  if (!address) return 'unknown'
  const mapped = MAPPED_IPV4.exec(address)
  if (mapped) return mapped[1]!
  const groups = ipv6Groups(address)
  if (!groups) return address
  return `${groups.slice(0, 4).map((g) => g.toString(16)).join(':')}::/64`
}
