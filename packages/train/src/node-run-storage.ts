import { mkdir, readFile, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { writeFileAtomic } from "@celeba/internal/node";
import type { RunStorage } from "./run-storage";

/** The file system as a {@link RunStorage}: atomic writes (temporary file, fsync, rename). */
export function nodeRunStorage(): RunStorage {
  return {
    async readText(path) {
      try {
        return await readFile(path, "utf8");
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw e;
      }
    },
    async readBytes(path) {
      const buf = await readFile(path);
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    },
    async write(path, data) {
      await mkdir(dirname(path), { recursive: true });
      await writeFileAtomic(path, data);
    },
    async remove(path) {
      await rm(path, { force: true });
    },
  };
}
