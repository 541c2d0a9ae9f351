// Child process of zip-bomb.test.ts: reads one entry of a zip and reports, as one JSON line,
// how far its resident memory grew above what it was before the read, and what was thrown.
import { openZipFile } from "../src/file-source";

const [path, entryName] = process.argv.slice(2) as [string, string];
const zip = await openZipFile(path);
const entry = zip.get(entryName)!;
globalThis.gc?.();
const before = process.memoryUsage.rss();
let peak = before;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage.rss());
}, 1);
let error: { message: string; kind: string } | undefined;
let bytes = -1;
try {
  bytes = (await zip.read(entry)).length;
} catch (e) {
  error = {
    message: (e as Error).message,
    kind: (e as { problem?: { kind: string } }).problem?.kind ?? "",
  };
}
peak = Math.max(peak, process.memoryUsage.rss());
clearInterval(sampler);
await zip.close();
console.log(JSON.stringify({ growthBytes: peak - before, bytes, error }));
