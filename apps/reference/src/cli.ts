import { cliMessage, describeSystemError, isExplainedError } from "./cli-messages";
import { CommandContext } from "./command-context";
import { demoCommand } from "./commands/demo";
import { doctorCommand } from "./commands/doctor";
import { evaluateCommand } from "./commands/evaluate";
import { exportCommand } from "./commands/export";
import { predictCommand } from "./commands/predict";
import { synthCommand } from "./commands/synth";
import { trainCommand } from "./commands/train";
import { CliError } from "./errors";
import { parseCliArgs } from "./parse-cli-args";

const HELP = `reference: reproduce the CelebA ResNeXt50 attribute classifier on TensorFlow.js

Usage: reference <command> [options]

Commands:
  demo      [--out runs/demo] [--force] [--epochs 5] [--count 3000] [--lr 0.01] [--image-size 64x78]
            synthetic CelebA -> train resnext_tiny -> validate, test, predict, report
  synth     --out DIR [--count 2000] [--seed 0] [--zip]
  train     --data DIR --out RUN [--arch resnext50_32x4d] [--weights FILE] [--epochs 12]
            [--batch-size 32] [--lr 0.002] [--loss mse|l1|bce] [--optimizer adamax|adam|sgd]
            [--freeze 6] [--split random|official] [--seed 0] [--image-size 178x218]
            [--backend auto|tensorflow-gpu|webgpu|tensorflow|wasm|cpu] [--limit N] [--force] [--quiet]
            [--skip-bad-images]
  train     --resume RUN
  evaluate  --run RUN [--data DIR] [--engine tfjs|onnxruntime] [--threads N] [--skip-bad-images]
  predict   --weights FILE --images DIR --out CSV [--raw] [--arch A] [--batch-size 16]
            [--engine tfjs|onnxruntime] [--threads N] [--force] [--skip-bad-images]
            (a .onnx FILE picks onnxruntime)
  export    --weights FILE --out model.onnx [--arch A] [--image-size WxH]
            [--normalization outside|baked]
  doctor    every backend: available or not, why not, and on what device

--force replaces only a folder this CLI made (and predict's existing --out file); it never
deletes a folder it did not make, nor one holding --data or --weights.

Global: --verbose (stack traces), --help`;

const OPTIONS = {
  out: { type: "string" },
  data: { type: "string" },
  run: { type: "string" },
  resume: { type: "string" },
  weights: { type: "string" },
  images: { type: "string" },
  arch: { type: "string" },
  epochs: { type: "string" },
  "batch-size": { type: "string" },
  lr: { type: "string" },
  loss: { type: "string" },
  optimizer: { type: "string" },
  freeze: { type: "string" },
  split: { type: "string" },
  seed: { type: "string" },
  backend: { type: "string" },
  "image-size": { type: "string" },
  count: { type: "string" },
  limit: { type: "string" },
  engine: { type: "string" },
  threads: { type: "string" },
  normalization: { type: "string" },
  raw: { type: "boolean" },
  zip: { type: "boolean" },
  force: { type: "boolean" },
  quiet: { type: "boolean" },
  "skip-bad-images": { type: "boolean" },
  verbose: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

const COMMANDS: Record<string, (ctx: CommandContext) => Promise<unknown>> = {
  demo: demoCommand,
  synth: synthCommand,
  train: (ctx) => trainCommand(ctx),
  evaluate: evaluateCommand,
  predict: predictCommand,
  export: exportCommand,
  doctor: doctorCommand,
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
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const name = positionals[0] ?? "demo";
  const command = COMMANDS[name];
  if (!command || positionals.length > 1) {
    console.error(
      command
        ? `reference ${name}: unexpected argument "${positionals[1]}". Options start with --; see "reference --help".`
        : `reference: unknown command "${name}": choose one of ${Object.keys(COMMANDS).join(", ")}.`,
    );
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

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
