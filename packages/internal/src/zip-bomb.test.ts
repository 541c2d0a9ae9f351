import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { createDeflateRaw } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handMadeZip } from "../test/hand-made-zip";
import { writeFileAtomic } from "./atomic-write";

const GiB = 2 ** 30;
const tmp = mkdtempSync(join(tmpdir(), "celeba-zip-bomb-"));
const bomb = join(tmp, "bomb.zip");
let compressedBytes = 0;

/** 1 GiB of zeros deflated as a stream (about 1 MB), without ever holding the GiB. */
async function deflatedZeros(total: number): Promise<Uint8Array> {
  const zeros = Buffer.alloc(16 * 2 ** 20);
  const chunks: Buffer[] = [];
  const deflate = createDeflateRaw({ level: 9 });
  const collecting = (async () => {
    for await (const chunk of deflate) chunks.push(chunk as Buffer);
  })();
  await pipeline(
    (function* () {
      for (let done = 0; done < total; done += zeros.length) yield zeros;
    })(),
    deflate,
  ).catch(() => {});
  await collecting;
  return Buffer.concat(chunks);
}

beforeAll(async () => {
  const body = await deflatedZeros(GiB);
  compressedBytes = body.length;
  // Both entries inflate to 1 GiB. The first declares 10 KB, as in the issue; the second
  // declares 2 MB, which a 1 MB deflate stream could honestly hold, so only the bound on
  // inflation can stop it.
  await writeFileAtomic(
    bomb,
    handMadeZip([
      { name: "img/000001.jpg", body, method: 8, size: 10_240 },
      { name: "img/000002.jpg", body, method: 8, size: 2_000_000 },
    ]),
  );
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface ChildReport {
  growthBytes: number;
  bytes: number;
  error?: { message: string; kind: string };
}

/** Reads one entry of the bomb in a fresh process, so the measurement is that read's alone. */
function readInChild(entry: string): ChildReport {
  const out = execFileSync(
    process.execPath,
    ["--import", "tsx", join(__dirname, "..", "test", "zip-bomb-child.ts"), bomb, entry],
    { encoding: "utf8", cwd: join(__dirname, "..") },
  );
  return JSON.parse(out.trim().split("\n").pop()!) as ChildReport;
}

describe("a zip bomb (issue 15, failure 3)", () => {
  it("an entry of ~1 MB that inflates to 1 GiB but declares 10 KB is rejected before RSS grows by 100 MB", () => {
    expect(compressedBytes).toBeGreaterThan(500_000);
    expect(compressedBytes).toBeLessThan(2_000_000);
    const report = readInChild("img/000001.jpg");
    expect(report.bytes).toBe(-1);
    // Refused before inflating: no deflate stream of 10 KB is 1 MB long.
    expect(report.error?.message).toMatch(
      /bomb\.zip!img\/000001\.jpg: declares \d+ compressed bytes, more than deflate makes of 10240/,
    );
    expect(report.growthBytes).toBeLessThan(100 * 2 ** 20);
  });

  it("one that declares a plausible 2 MB is stopped at the first chunk past 2 MB, before RSS grows by 100 MB", () => {
    const report = readInChild("img/000002.jpg");
    expect(report.bytes).toBe(-1);
    expect(report.error?.kind).toBe("too-large");
    expect(report.error?.message).toMatch(
      /bomb\.zip!img\/000002\.jpg: inflates past its declared size of 2000000 bytes/,
    );
    expect(report.growthBytes).toBeLessThan(100 * 2 ** 20);
  });
});
