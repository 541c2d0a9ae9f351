import { CliError } from "./errors";

/** Parsed flags of one command, with typed, validated accessors. */
export class CommandContext {
  constructor(
    readonly command: string,
    readonly flags: Record<string, string | boolean | undefined>,
    readonly log: (line: string) => void,
  ) {}

  string(name: string): string | undefined {
    const v = this.flags[name];
    return typeof v === "string" ? v : undefined;
  }

  requireString(name: string, what: string): string {
    const v = this.string(name);
    if (v === undefined || v === "") {
      throw new CliError(
        `reference ${this.command} needs --${name}: ${what}. See "reference --help".`,
      );
    }
    return v;
  }

  bool(name: string): boolean {
    return this.flags[name] === true;
  }

  int(name: string, fallback: number, { allowZero = false } = {}): number {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    // Decimal digits only: Number() would also take "0x10", "1e3" or " 16 ".
    const n = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < (allowZero ? 0 : 1)) {
      throw new CliError(
        `--${name} "${raw}" is not valid: give a ${allowZero ? "non-negative" : "positive"} integer.`,
      );
    }
    return n;
  }
}
