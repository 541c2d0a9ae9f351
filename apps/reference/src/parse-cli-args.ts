import { type ParseArgsConfig, parseArgs } from "node:util";
import { CliError } from "./errors";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** The parsed command line: flag values by name and the positional words. */
export interface ParsedCliArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

function suggestion(flag: string, options: Options): string {
  const name = flag.replace(/^-+/, "").split("=")[0]!;
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of Object.keys(options)) {
    const d = editDistance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best ? ` (did you mean --${best}?)` : "";
}

/**
 * Node's `parseArgs` with messages written for this CLI's users rather than Node's advice about
 * positionals: unknown flags get a suggestion, and a negative number after a flag
 * (`--epochs -1`) is read as that flag's value, so the flag's own check explains what is valid.
 *
 * @throws {CliError} For an unknown flag, a missing value, or a value given to a switch.
 */
export function parseCliArgs(argv: readonly string[], options: Options): ParsedCliArgs {
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    const option = arg.startsWith("--") ? options[arg.slice(2)] : undefined;
    if (option?.type === "string" && next !== undefined && /^-\d/.test(next)) {
      args.push(`${arg}=${next}`);
      i++;
    } else {
      args.push(arg);
    }
  }
  try {
    const { values, positionals } = parseArgs({
      args,
      options,
      allowPositionals: true,
      strict: true,
    });
    return { values: values as ParsedCliArgs["values"], positionals };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message = (error as Error).message;
    const flag = /'(-[^' ]+)/.exec(message)?.[1] ?? "";
    let text: string;
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      text = `unknown option ${flag}${suggestion(flag, options)}`;
    } else if (/does not take an argument/.test(message)) {
      text = `${flag} is a switch and takes no value`;
    } else if (/argument missing/.test(message)) {
      text = `${flag} needs a value`;
    } else if (/ambiguous/.test(message)) {
      text = `${flag} needs a value, but the next word starts with "-"; to give such a value write ${flag}=VALUE`;
    } else {
      text = message.split("\n")[0]!;
    }
    throw new CliError(`${text}. Run "reference --help" for the options.`, { cause: error });
  }
}
