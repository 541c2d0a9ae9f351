/**
 * Where {@link train} and {@link resume} keep a run: checkpoints, `latest.json`, history and
 * results. Paths are the run directory joined with `/`-separated relative paths. In Node the
 * default is the file system; in a browser pass {@link memoryRunStorage}.
 *
 * @example
 * ```ts
 * const storage = memoryRunStorage();
 * await train({ model, trainData, runDir: "run", storage });
 * const weights = storage.files.get("run/checkpoints/epoch-01.safetensors");
 * ```
 */
export interface RunStorage {
  /** The file's text, or `undefined` when it does not exist. */
  readText(path: string): Promise<string | undefined>;
  /** The file's bytes; rejects when it does not exist. */
  readBytes(path: string): Promise<Uint8Array>;
  /** Replaces the file so that readers see the old or the complete new content; creates folders. */
  write(path: string, data: string | Uint8Array): Promise<void>;
  /** Deletes the file if it exists. */
  remove(path: string): Promise<void>;
}

/** A {@link RunStorage} in memory, with its files visible as a map from path to bytes. */
export interface MemoryRunStorage extends RunStorage {
  /** Every file written, by path. */
  readonly files: Map<string, Uint8Array>;
}

/**
 * A {@link RunStorage} that keeps every file in memory: for browsers, and for tests.
 *
 * @returns An empty storage.
 * @example
 * ```ts
 * const storage = memoryRunStorage();
 * const result = await train({ model, trainData, runDir: "run", storage, epochs: 1 });
 * const bytes = storage.files.get(result.lastCheckpoint!);
 * ```
 */
export function memoryRunStorage(): MemoryRunStorage {
  const files = new Map<string, Uint8Array>();
  return {
    files,
    async readText(path) {
      const bytes = files.get(path);
      return bytes === undefined ? undefined : new TextDecoder().decode(bytes);
    },
    async readBytes(path) {
      const bytes = files.get(path);
      if (bytes === undefined) throw new Error(`${path}: no such file`);
      return bytes;
    },
    async write(path, data) {
      files.set(path, typeof data === "string" ? new TextEncoder().encode(data) : data.slice());
    },
    async remove(path) {
      files.delete(path);
    },
  };
}

/** `runDir` joined with a relative `/`-separated path, without doubled separators. */
export function runPath(runDir: string, relative: string): string {
  return `${runDir.replace(/[\\/]+$/, "")}/${relative}`;
}
