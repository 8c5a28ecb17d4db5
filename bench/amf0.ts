// AMF0, the little that RTMP commands need: numbers, booleans, strings, objects, null in both
// directions; ECMA and strict arrays, dates and long strings when decoding server replies.
export type Amf = number | boolean | string | null | undefined | Amf[] | { [key: string]: Amf }

function str(s: string): Buffer {
  const b = Buffer.from(s, 'utf8')
  const len = Buffer.alloc(2)
  len.writeUInt16BE(b.length)
  return Buffer.concat([len, b])
}

function encodeOne(v: Amf): Buffer {
  if (typeof v === 'number') {
    const b = Buffer.alloc(9)
    b[0] = 0x00
    b.writeDoubleBE(v, 1)
    return b
  }
  if (typeof v === 'boolean') return Buffer.from([0x01, v ? 1 : 0])
  if (typeof v === 'string') return Buffer.concat([Buffer.from([0x02]), str(v)])
  if (v === null) return Buffer.from([0x05])
  if (v === undefined) return Buffer.from([0x06])
  if (Array.isArray(v)) throw new Error('amf0: arrays are not encoded here')
  const parts: Buffer[] = [Buffer.from([0x03])]
  for (const [k, val] of Object.entries(v)) parts.push(str(k), encodeOne(val))
  parts.push(Buffer.from([0x00, 0x00, 0x09]))
  return Buffer.concat(parts)
}

export function encodeAmf0(...values: Amf[]): Buffer {
  return Buffer.concat(values.map(encodeOne))
}

/** Decode values until the buffer ends (or a type this reader does not know). */
export function decodeAmf0(buf: Buffer): Amf[] {
  let i = 0
  const readStr = (long = false) => {
    const len = long ? buf.readUInt32BE(i) : buf.readUInt16BE(i)
    i += long ? 4 : 2
    const s = buf.toString('utf8', i, i + len)
    i += len
    return s
  }
  const readProps = (): { [key: string]: Amf } => {
    const o: { [key: string]: Amf } = {}
    while (i + 3 <= buf.length) {
      if (buf.readUInt16BE(i) === 0 && buf[i + 2] === 0x09) {
        i += 3
        break
      }
      const k = readStr()
      o[k] = readOne()
    }
    return o
  }
  const readOne = (): Amf => {
    const t = buf[i++]
    switch (t) {
      case 0x00:
        i += 8
        return buf.readDoubleBE(i - 8)
      case 0x01:
        return buf[i++] !== 0
      case 0x02:
        return readStr()
      case 0x03:
        return readProps()
      case 0x05:
        return null
      case 0x06:
        return undefined
      case 0x08:
        i += 4 // ECMA array: a count, then properties like an object
        return readProps()
      case 0x0a: {
        const n = buf.readUInt32BE(i)
        i += 4
        return Array.from({ length: n }, readOne)
      }
      case 0x0b:
        i += 10
        return buf.readDoubleBE(i - 10)
      case 0x0c:
        return readStr(true)
      default:
        throw new Error(`amf0: type ${t} not supported`)
    }
  }
  const out: Amf[] = []
  try {
    while (i < buf.length) out.push(readOne())
  } catch {
    // keep what was read: command replies we care about come first
  }
  return out
}
