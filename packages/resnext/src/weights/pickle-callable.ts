// What a pickle may call and build: the allowlist's callables and the objects that accept
// BUILD, and the options that give the VM its allowlist.

/**
 * A Python global that the caller's allowlist resolved to a pure JavaScript function.
 * Pickles can only ever call these: there is no path from the file to `eval`, `require`,
 * the filesystem or any other code.
 */
export class PickleCallable {
  constructor(
    readonly module: string,
    readonly name: string,
    readonly call: (args: unknown[]) => unknown,
  ) {}
}

/** An object that accepts pickle's BUILD opcode (`__setstate__`). */
export interface PickleBuildable {
  pickleBuild(state: unknown): void;
}

/** How the VM resolves globals and persistent ids. */
export interface PickleOptions {
  /** Names the file in error messages. */
  source: string;
  /** The allowlist: return a callable for an allowed global, `undefined` to refuse it. */
  resolveGlobal: (module: string, name: string) => PickleCallable | undefined;
  /** Handles BINPERSID/PERSID (PyTorch's storages); absent means persistent ids are refused. */
  persistentLoad?: (pid: unknown) => unknown;
}

/** Whether `x` accepts BUILD. Internal. */
export function isBuildable(x: unknown): x is PickleBuildable {
  return (
    typeof x === "object" &&
    x !== null &&
    typeof (x as Partial<PickleBuildable>).pickleBuild === "function"
  );
}
