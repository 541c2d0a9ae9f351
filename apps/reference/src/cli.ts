import { readFileSync } from "node:fs";
import { cliMessage, describeSystemError, isExplainedError } from "./cli-messages";
import { CommandContext } from "./command-context";
import {
  checkCommandFlags,
  commandHelp,
  PROGRAM,
  parseArgsOptions,
  programHelp,
} from "./command-flags";
import { CliError } from "./errors";
import { parseCliArgs } from "./parse-cli-args";

const OPTIONS = parseArgsOptions();

// Each command's module loads only when it runs: tfjs, sharp and vega take seconds to import,
// which `predict` on ONNX Runtime (or --help) should not pay for.
const COMMANDS: Record<string, (ctx: CommandContext) => Promise<unknown>> = {
  demo: async (ctx) => (await import("./commands/demo")).demoCommand(ctx),
  synth: async (ctx) => (await import("./commands/synth")).synthCommand(ctx),
  train: async (ctx) => (await import("./commands/train")).trainCommand(ctx),
  evaluate: async (ctx) => (await import("./commands/evaluate")).evaluateCommand(ctx),
  predict: async (ctx) => (await import("./commands/predict")).predictCommand(ctx),
  export: async (ctx) => (await import("./commands/export")).exportCommand(ctx),
  doctor: async (ctx) => (await import("./commands/doctor")).doctorCommand(ctx),
};

async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseCliArgs>;
  try {
    parsed = parseCliArgs(argv, OPTIONS);
  } catch (error) {
    console.error(`reference: ${(error as Error).message}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.version) {
    console.log(`${PROGRAM} ${appVersion()}`);
    return 0;
  }
  const name = positionals[0] ?? "demo";
  const command = COMMANDS[name];
  if (values.help) {
    console.log(command && positionals[0] !== undefined ? commandHelp(name) : programHelp());
    return 0;
  }
  if (!command || positionals.length > 1) {
    console.error(
      command
        ? `reference ${name}: unexpected argument "${positionals[1]}". Options start with --; see "reference --help".`
        : `reference: unknown command "${name}": choose one of ${Object.keys(COMMANDS).join(", ")}.`,
    );
    return 2;
  }
  try {
    checkCommandFlags(name, values);
  } catch (error) {
    console.error(`${PROGRAM} ${name}: ${(error as Error).message}`);
    return 2;
  }
  const log = (line: string) => console.log(line);
  try {
    await command(new CommandContext(name, values, log));
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    if (values.verbose) console.error(error);
    const system = describeSystemError(error);
    const message = system ?? cliMessage(error instanceof Error ? error.message : String(error));
    const known = system !== undefined || isExplainedError(error);
    console.error(
      `reference ${name}: ${message}${known || values.verbose ? "" : " (run with --verbose for the stack trace)"}`,
    );
    return error instanceof CliError ? error.exitCode : 1;
  }
}

/** The version in this app's package.json, which sits one folder above `dist/cli.js`. */
function appVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  return String(pkg.version);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
