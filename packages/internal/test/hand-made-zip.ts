import { crc32 } from "../src/crc32";

/** One entry of {@link handMadeZip}: its bytes as stored, and what the directory claims. */
export interface HandMadeEntry {
  name: string;
  /** The bytes after the local header, as stored (already deflated for method 8). */
  body: Uint8Array;
  /** Default 0 (stored). */
  method?: number;
  /** Declared uncompressed size; default `body.length`. */
  size?: number;
  /** Declared CRC-32; default the CRC of `body`. */
  crc?: number;
}

/**
 * A zip written field by field, so tests can make the directory lie (sizes, CRCs, methods,
 * duplicate names) in ways no real writer would.
 */
export function handMadeZip(entries: HandMadeEntry[], comment = ""): Uint8Array {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = enc.encode(e.name);
    const method = e.method ?? 0;
    const size = e.size ?? e.body.length;
    const crc = e.crc ?? crc32(e.body);
    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(8, method, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, e.body.length, true);
    lv.setUint32(22, size, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    const c = new Uint8Array(46 + name.length);
    const cv = new DataView(c.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(10, method, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, e.body.length, true);
    cv.setUint32(24, size, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, offset, true);
    c.set(name, 46);
    parts.push(local, e.body);
    central.push(c);
    offset += local.length + e.body.length;
  }
  const commentBytes = enc.encode(comment);
  const cdSize = central.reduce((s, c) => s + c.length, 0);
  const end = new Uint8Array(22 + commentBytes.length);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);
  ev.setUint16(20, commentBytes.length, true);
  end.set(commentBytes, 22);
  const all = [...parts, ...central, end];
  const out = new Uint8Array(all.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of all) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
