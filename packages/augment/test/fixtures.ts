import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { RawImage } from "../src/raw-image";

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures");

export interface SourceEntry {
  name: string;
  width: number;
  height: number;
  channels: 1 | 3 | 4;
  file?: string;
  noise?: boolean;
  sha256: string;
}

export interface CaseEntry {
  kind: "hflip" | "resize" | "crop" | "centerCrop" | "celebaTrain";
  source: string;
  params: Record<string, number | string>;
  width: number;
  height: number;
  channels: 1 | 3 | 4;
  sha256: string;
  file?: string;
}

export interface TensorEntry {
  source: string;
  mean: number[];
  std: number[];
  file: string;
  plainFile: string;
}

export interface Manifest {
  versions: Record<string, string>;
  sources: SourceEntry[];
  cases: CaseEntry[];
  tensors: TensorEntry[];
  xoshiro128ss: { state: [number, number, number, number]; outputs: number[] };
}

export const manifest: Manifest = JSON.parse(readFileSync(join(FIXTURES, "manifest.json"), "utf8"));

/** The integer-hash noise of scripts/make-fixtures.py, bit for bit. */
export function noise(width: number, height: number, channels: number): Uint8Array {
  const out = new Uint8Array(width * height * channels);
  let i = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        let h =
          (Math.imul(x, 374761393) + Math.imul(y, 668265263) + Math.imul(c, 2147483647) + 12345) >>>
          0;
        h = Math.imul(h ^ (h >>> 13), 1274126177) >>> 0;
        out[i++] = (h ^ (h >>> 16)) & 255;
      }
    }
  }
  return out;
}

export function readBytes(file: string): Uint8Array {
  return new Uint8Array(readFileSync(join(FIXTURES, file)));
}

export function readFloats(file: string): Float32Array {
  const b = readFileSync(join(FIXTURES, file));
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

export function sourceImage(name: string): RawImage {
  const e = manifest.sources.find((s) => s.name === name);
  if (!e) throw new Error(`no fixture source ${name}`);
  const data = e.file ? readBytes(e.file) : noise(e.width, e.height, e.channels);
  if (sha256(data) !== e.sha256)
    throw new Error(`fixture source ${name} does not match its sha256`);
  return { data, width: e.width, height: e.height, channels: e.channels };
}

export function sha256(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

export function diffStats(
  a: Uint8Array,
  b: Uint8Array,
): { mad: number; max: number; mismatched: number } {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let sum = 0;
  let max = 0;
  let mismatched = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs((a[i] as number) - (b[i] as number));
    sum += d;
    if (d > max) max = d;
    if (d) mismatched++;
  }
  return { mad: sum / a.length, max, mismatched };
}

export function casesOf(kind: CaseEntry["kind"]): CaseEntry[] {
  return manifest.cases.filter((c) => c.kind === kind);
}

export function caseLabel(c: CaseEntry): string {
  const p = Object.entries(c.params)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
  return `${c.source} ${p}`.trim();
}
