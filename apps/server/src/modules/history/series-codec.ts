import { deflateRawSync, inflateRawSync } from 'node:zlib';

/*
 * Compact encodings for numeric series chunks. Values are kept to 2 decimals (×100 as
 * integers): rates, connection counts and latencies need no more. Columns are delta-encoded
 * zigzag varints, then deflated: regular 5 s spacing and slowly moving values shrink to about
 * a byte or two per point.
 */

export interface RawPoint {
  /** Epoch ms. */
  ts: number;
  value: number;
}

export interface RollupPoint {
  /** Start of the bucket, epoch ms. */
  ts: number;
  min: number;
  avg: number;
  max: number;
  count: number;
}

/** An open raw chunk is a plain array of fixed records, so appending is a blob concat. */
const OPEN_RECORD = 12;

export function encodeOpenRaw(chunkStart: number, points: readonly RawPoint[]): Buffer {
  const buf = Buffer.alloc(points.length * OPEN_RECORD);
  points.forEach((p, i) => {
    buf.writeUInt32LE(Math.max(0, Math.round(p.ts - chunkStart)), i * OPEN_RECORD);
    buf.writeDoubleLE(p.value, i * OPEN_RECORD + 4);
  });
  return buf;
}

export function decodeOpenRaw(chunkStart: number, data: Buffer): RawPoint[] {
  const out: RawPoint[] = [];
  for (let at = 0; at + OPEN_RECORD <= data.length; at += OPEN_RECORD) {
    out.push({ ts: chunkStart + data.readUInt32LE(at), value: data.readDoubleLE(at + 4) });
  }
  return out;
}

const q = (v: number): number => Math.round(v * 100);
const zig = (n: number): number => (n >= 0 ? n * 2 : -n * 2 - 1);
const unzig = (n: number): number => (n % 2 === 0 ? n / 2 : -(n + 1) / 2);

/** Unsigned varint over the safe-integer range (no 32-bit bitwise operators). */
function putVarint(out: number[], value: number): void {
  let v = value;
  while (v >= 128) {
    out.push((v % 128) + 128);
    v = Math.floor(v / 128);
  }
  out.push(v);
}

class VarintReader {
  private at = 0;
  constructor(private readonly buf: Buffer) {}
  next(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      const byte = this.buf[this.at++];
      if (byte === undefined) throw new Error('truncated series chunk');
      result += (byte % 128) * scale;
      if (byte < 128) return result;
      scale *= 128;
    }
  }
}

function putColumn(out: number[], values: readonly number[]): void {
  let prev = 0;
  for (const v of values) {
    putVarint(out, zig(v - prev));
    prev = v;
  }
}

function readColumn(reader: VarintReader, n: number): number[] {
  const out: number[] = [];
  let prev = 0;
  for (let i = 0; i < n; i++) {
    prev += unzig(reader.next());
    out.push(prev);
  }
  return out;
}

export function encodeSealedRaw(chunkStart: number, points: readonly RawPoint[]): Buffer {
  const out: number[] = [];
  putVarint(out, points.length);
  putColumn(out, points.map((p) => Math.round(p.ts - chunkStart)));
  putColumn(out, points.map((p) => q(p.value)));
  return deflateRawSync(Buffer.from(out));
}

export function decodeSealedRaw(chunkStart: number, data: Buffer): RawPoint[] {
  const reader = new VarintReader(inflateRawSync(data));
  const n = reader.next();
  const offsets = readColumn(reader, n);
  const values = readColumn(reader, n);
  return offsets.map((o, i) => ({ ts: chunkStart + o, value: (values[i] ?? 0) / 100 }));
}

/** `step` is the bucket width in ms; bucket starts are stored as step counts from chunkStart. */
export function encodeRollups(chunkStart: number, step: number, points: readonly RollupPoint[]): Buffer {
  const out: number[] = [];
  putVarint(out, points.length);
  putColumn(out, points.map((p) => Math.round((p.ts - chunkStart) / step)));
  putColumn(out, points.map((p) => q(p.min)));
  putColumn(out, points.map((p) => q(p.avg)));
  putColumn(out, points.map((p) => q(p.max)));
  putColumn(out, points.map((p) => p.count));
  return deflateRawSync(Buffer.from(out));
}

export function decodeRollups(chunkStart: number, step: number, data: Buffer): RollupPoint[] {
  const reader = new VarintReader(inflateRawSync(data));
  const n = reader.next();
  const offsets = readColumn(reader, n);
  const mins = readColumn(reader, n);
  const avgs = readColumn(reader, n);
  const maxs = readColumn(reader, n);
  const counts = readColumn(reader, n);
  return offsets.map((o, i) => ({
    ts: chunkStart + o * step,
    min: (mins[i] ?? 0) / 100,
    avg: (avgs[i] ?? 0) / 100,
    max: (maxs[i] ?? 0) / 100,
    count: counts[i] ?? 0,
  }));
}
