import { CliError } from "./errors";

/** One flag of a command: its value's placeholder (none for a switch) and what it does. */
export interface FlagSpec {
  /** Placeholder of the value, e.g. `DIR`; absent for a switch. */
  value?: string;
  /** One line: what the flag does, and its default. */
  help: string;
}

/** One command: a line on what it does, how to call it, and every flag it reads. */
export interface CommandSpec {
  summary: string;
  usage: string[];
  flags: Record<string, FlagSpec>;
}

/** The program name: the bin this app installs (`reference`), so help and messages agree with it. */
export const PROGRAM = "reference";

const BACKENDS = "auto|tensorflow-gpu|webgpu|tensorflow|wasm|cpu";
const backend: FlagSpec = { value: BACKENDS, help: "tfjs backend (auto)" };
const skipBadImages: FlagSpec = {
  help: "leave out missing or undecodable images with a warning instead of stopping",
};
const engine: FlagSpec = { value: "tfjs|onnxruntime", help: "inference engine (tfjs)" };
const threads: FlagSpec = { value: "N", help: "ONNX Runtime's intra-op threads (every core)" };

/** `train`'s flags when it starts a run. */
const TRAIN_FLAGS: Record<string, FlagSpec> = {
  data: { value: "DIR", help: "the CelebA root folder (or one made by synth)" },
  out: { value: "RUN", help: "the run folder to write checkpoints and reports into" },
  arch: { value: "A", help: "architecture (resnext50_32x4d)" },
  weights: { value: "FILE", help: "torchvision .pth or .safetensors to start from (random init)" },
  epochs: { value: "N", help: "epochs (12); with --resume, the new total to extend the run to" },
  "batch-size": { value: "N", help: "images per step (32)" },
  lr: { value: "X", help: "learning rate (0.002)" },
  loss: { value: "mse|l1|bce", help: "loss (mse)" },
  optimizer: { value: "adamax|adam|sgd", help: "optimizer (adamax)" },
  freeze: { value: "N", help: "leading children frozen (6)" },
  split: { value: "random|official", help: "random 80/10/10 or list_eval_partition.txt (random)" },
  seed: { value: "N", help: "run seed (0)" },
  "image-size": { value: "WxH", help: "network input, the crop (178x218)" },
  backend: { ...backend, help: "tfjs backend (auto); with --resume, replaces the saved one" },
  limit: { value: "N", help: "cap on images per split, for quick checks (0 = all)" },
  force: { help: "replace a run folder this CLI made" },
  quiet: { help: "no progress bar or progress lines (epoch lines stay)" },
  "skip-bad-images": skipBadImages,
  resume: { value: "RUN", help: "continue RUN from its last complete checkpoint" },
};

/** The only `train` flags that may go with `--resume`: the rest are the run's saved config. */
export const RESUME_FLAGS = ["resume", "epochs", "backend", "quiet"] as const;

/** Every command and the flags it reads; the CLI refuses any other flag. */
export const COMMAND_SPECS: Record<string, CommandSpec> = {
  demo: {
    summary: "synthetic CelebA -> train resnext_tiny -> validate, test, predict, report",
    usage: ["demo [options]"],
    flags: {
      out: { value: "DIR", help: "where everything goes (runs/demo)" },
      force: { help: "replace a demo folder this CLI made" },
      count: { value: "N", help: "synthetic images (3000)" },
      epochs: { value: "N", help: "epochs (5)" },
      lr: { value: "X", help: "learning rate (0.01)" },
      arch: { value: "A", help: "architecture (resnext_tiny)" },
      "batch-size": { value: "N", help: "images per step (32)" },
      "image-size": { value: "WxH", help: "network input (64x78)" },
      freeze: { value: "N", help: "leading children frozen (6)" },
      seed: { value: "N", help: "seed of the data and the run (0)" },
      backend,
      quiet: { help: "no progress bar or progress lines (epoch lines stay)" },
      "skip-bad-images": skipBadImages,
    },
  },
  synth: {
    summary: "a synthetic CelebA in the real layout",
    usage: ["synth --out DIR [options]"],
    flags: {
      out: { value: "DIR", help: "the folder to write" },
      count: { value: "N", help: "images (2000)" },
      seed: { value: "N", help: "seed (0)" },
      zip: { help: "write img_align_celeba.zip instead of a folder" },
      force: { help: "replace a synthetic-data folder this CLI made" },
    },
  },
  train: {
    summary: "the paper's training: a checkpoint per epoch, best epoch by validation, its test",
    usage: [
      "train --data DIR --out RUN [options]",
      "train --resume RUN [--epochs N] [--backend B] [--quiet]",
    ],
    flags: TRAIN_FLAGS,
  },
  evaluate: {
    summary: "validate every epoch's checkpoint, pick the best, test it, rewrite the report",
    usage: ["evaluate --run RUN [options]"],
    flags: {
      run: { value: "RUN", help: "the run folder made by train" },
      data: { value: "DIR", help: "the CelebA root folder, if it moved (as saved)" },
      backend: { ...backend, help: "tfjs backend (auto)" },
      engine,
      threads,
      "skip-bad-images": skipBadImages,
    },
  },
  predict: {
    summary: "one CSV row per image: image_id, then ±1 per attribute (or raw scores)",
    usage: ["predict --weights FILE --images DIR --out CSV [options]"],
    flags: {
      weights: { value: "FILE", help: "our checkpoint, torchvision weights or a .onnx model" },
      images: { value: "DIR", help: "a folder of .jpg/.png images" },
      out: { value: "CSV", help: "the CSV file to write" },
      raw: { help: "raw scores instead of ±1" },
      arch: { value: "A", help: "architecture of bare weights (from the checkpoint)" },
      "batch-size": { value: "N", help: "images per batch (16)" },
      backend,
      engine: { ...engine, help: "inference engine (tfjs; onnxruntime for a .onnx FILE)" },
      threads,
      force: { help: "replace an existing --out file" },
      "skip-bad-images": skipBadImages,
    },
  },
  export: {
    summary: "weights as an ONNX model",
    usage: ["export --weights FILE --out model.onnx [options]"],
    flags: {
      weights: { value: "FILE", help: "our checkpoint or torchvision weights" },
      out: { value: "FILE", help: "the .onnx file to write" },
      arch: { value: "A", help: "architecture of bare weights (from the checkpoint)" },
      "image-size": { value: "WxH", help: "input size (from the checkpoint, else any)" },
      normalization: {
        value: "outside|baked",
        help: "the checkpoint's normalisation in the graph? (outside)",
      },
    },
  },
  doctor: {
    summary: "every backend: available or not, why not, and on what device",
    usage: ["doctor"],
    flags: {},
  },
};

/** Flags every command takes. */
export const GLOBAL_FLAGS: Record<string, FlagSpec> = {
  verbose: { help: "print stack traces" },
  help: { help: "this help" },
  version: { help: "print the version" },
};

/** Node `parseArgs` options for the union of every command's flags. */
export function parseArgsOptions(): Record<string, { type: "string" | "boolean"; short?: string }> {
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = {};
  for (const spec of [...Object.values(COMMAND_SPECS), { flags: GLOBAL_FLAGS }]) {
    for (const [name, flag] of Object.entries(spec.flags)) {
      options[name] = { type: flag.value ? "string" : "boolean" };
    }
  }
  options.help = { type: "boolean", short: "h" };
  return options;
}

function flagLines(flags: Record<string, FlagSpec>): string[] {
  const left = Object.entries(flags).map(([n, f]) => `--${n}${f.value ? ` ${f.value}` : ""}`);
  const width = Math.min(Math.max(...left.map((l) => l.length)) + 2, 30);
  return Object.values(flags).map((f, i) => {
    const l = left[i]!;
    return l.length + 2 > width
      ? `  ${l}\n  ${" ".repeat(width)}${f.help}`
      : `  ${l.padEnd(width)}${f.help}`;
  });
}

/** `reference <command> --help`: usage, and exactly the flags the command reads. */
export function commandHelp(name: string): string {
  const spec = COMMAND_SPECS[name]!;
  const flags =
    Object.keys(spec.flags).length > 0 ? ["", "Options:", ...flagLines(spec.flags)] : [];
  return [
    `${PROGRAM} ${name}: ${spec.summary}`,
    "",
    ...spec.usage.map((u, i) => `${i === 0 ? "Usage: " : "       "}${PROGRAM} ${u}`),
    ...flags,
    "",
    "Global:",
    ...flagLines(GLOBAL_FLAGS),
  ].join("\n");
}

/** `reference --help`: the commands, one line each. */
export function programHelp(): string {
  const names = Object.keys(COMMAND_SPECS);
  const width = Math.max(...names.map((n) => n.length)) + 2;
  return [
    `${PROGRAM}: reproduce the CelebA ResNeXt50 attribute classifier on TensorFlow.js`,
    "",
    `Usage: ${PROGRAM} <command> [options]    (no command: demo)`,
    "",
    "Commands:",
    ...names.map((n) => `  ${n.padEnd(width)}${COMMAND_SPECS[n]!.summary}`),
    "",
    `"${PROGRAM} <command> --help" lists a command's options.`,
    "--force replaces only a folder this CLI made (and predict's existing --out file); it never",
    "deletes a folder it did not make, nor one holding --data or --weights.",
    "",
    "Global:",
    ...flagLines(GLOBAL_FLAGS),
  ].join("\n");
}

/**
 * Refuses every flag the command does not read, so a misplaced flag is never silently ignored;
 * `train --resume` takes only {@link RESUME_FLAGS}, since the rest is the run's saved config.
 *
 * @throws {CliError} Naming the first such flag and where to see the command's flags.
 */
export function checkCommandFlags(
  name: string,
  values: Record<string, string | boolean | undefined>,
): void {
  const spec = COMMAND_SPECS[name]!;
  const given = Object.keys(values).filter((k) => values[k] !== undefined && !(k in GLOBAL_FLAGS));
  for (const flag of given) {
    if (!(flag in spec.flags)) {
      throw new CliError(
        `--${flag} is not an option of ${name}. Run "${PROGRAM} ${name} --help" for its options.`,
      );
    }
  }
  if (name === "train" && values.resume !== undefined) {
    const fixed = given.filter((f) => !(RESUME_FLAGS as readonly string[]).includes(f));
    if (fixed.length > 0) {
      throw new CliError(
        `--resume cannot change ${fixed.map((f) => `--${f}`).join(", ")}: ` +
          `a run keeps the settings it was started with (kept in its run.json). With --resume give only ` +
          `${RESUME_FLAGS.filter((f) => f !== "resume")
            .map((f) => `--${f}`)
            .join(", ")}, or start a new run.`,
      );
    }
  }
}
