import { CliError } from "./errors";
import { PAPER_DEFAULTS, type RunConfig } from "./run-config";
import { DEMO_DEFAULTS, DEMO_TRAINING } from "./run-demo";

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

/** A flag that takes a value: its placeholder and its help line. */
const option = (value: string, help: string): FlagSpec => ({ value, help });
/** A switch. */
const toggle = (help: string): FlagSpec => ({ help });

const backend = option(BACKENDS, "tfjs backend (auto)");
const skipBadImages = toggle(
  "leave out missing or undecodable images with a warning instead of stopping",
);
const quiet = toggle("no progress bar or progress lines (epoch lines stay)");
const engine = option("tfjs|onnxruntime", "inference engine (tfjs)");
const threads = option("N", "ONNX Runtime's intra-op threads (every core)");

/** The training flags `train` and `demo` share, each help with the command's default. */
function trainingFlags(
  defaults: Pick<
    RunConfig,
    "arch" | "epochs" | "batchSize" | "lr" | "freeze" | "seed" | "imageSize"
  >,
  seedHelp: string,
): Record<string, FlagSpec> {
  const { width, height } = defaults.imageSize;
  return {
    arch: option("A", `architecture (${defaults.arch})`),
    epochs: option("N", `epochs (${defaults.epochs})`),
    "batch-size": option("N", `images per step (${defaults.batchSize})`),
    lr: option("X", `learning rate (${defaults.lr})`),
    freeze: option("N", `leading children frozen (${defaults.freeze})`),
    seed: option("N", `${seedHelp} (${defaults.seed})`),
    "image-size": option("WxH", `network input, the crop (${width}x${height})`),
    quiet,
    "skip-bad-images": skipBadImages,
  };
}

/** `train`'s flags when it starts a run. */
const TRAIN_FLAGS: Record<string, FlagSpec> = {
  data: option("DIR", "the CelebA root folder (or one made by synth)"),
  out: option("RUN", "the run folder to write checkpoints and reports into"),
  ...trainingFlags(PAPER_DEFAULTS, "run seed"),
  epochs: option(
    "N",
    `epochs (${PAPER_DEFAULTS.epochs}); with --resume, the new total to extend the run to`,
  ),
  weights: option("FILE", "torchvision .pth or .safetensors to start from (random init)"),
  loss: option("mse|l1|bce", "loss (mse)"),
  optimizer: option("adamax|adam|sgd", "optimizer (adamax)"),
  split: option("random|official", "random 80/10/10 or list_eval_partition.txt (random)"),
  backend: option(BACKENDS, "tfjs backend (auto); with --resume, replaces the saved one"),
  limit: option("N", "cap on images per split, for quick checks (0 = all)"),
  force: toggle("replace a run folder this CLI made"),
  resume: option("RUN", "continue RUN from its last complete checkpoint"),
};

/** The only `train` flags that may go with `--resume`: the rest are the run's saved config. */
export const RESUME_FLAGS = ["resume", "epochs", "backend", "quiet"] as const;

/** Every command and the flags it reads; the CLI refuses any other flag. */
export const COMMAND_SPECS: Record<string, CommandSpec> = {
  demo: {
    summary: "synthetic CelebA -> train resnext_tiny -> validate, test, predict, report",
    usage: ["demo [options]"],
    flags: {
      out: option("DIR", `where everything goes (${DEMO_DEFAULTS.out})`),
      force: toggle("replace a demo folder this CLI made"),
      count: option("N", `synthetic images (${DEMO_DEFAULTS.count})`),
      ...trainingFlags(DEMO_TRAINING, "seed of the data and the run"),
      backend,
    },
  },
  synth: {
    summary: "a synthetic CelebA in the real layout",
    usage: ["synth --out DIR [options]"],
    flags: {
      out: option("DIR", "the folder to write"),
      count: option("N", "images (2000)"),
      seed: option("N", "seed (0)"),
      zip: toggle("write img_align_celeba.zip instead of a folder"),
      force: toggle("replace a synthetic-data folder this CLI made"),
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
      run: option("RUN", "the run folder made by train"),
      data: option("DIR", "the CelebA root folder, if it moved (as saved)"),
      backend,
      engine,
      threads,
      "skip-bad-images": skipBadImages,
    },
  },
  predict: {
    summary: "one CSV row per image: image_id, then ±1 per attribute (or raw scores)",
    usage: ["predict --weights FILE --images DIR --out CSV [options]"],
    flags: {
      weights: option("FILE", "our checkpoint, torchvision weights or a .onnx model"),
      images: option("DIR", "a folder of .jpg/.png images"),
      out: option("CSV", "the CSV file to write"),
      raw: toggle("raw scores instead of ±1"),
      arch: option("A", "architecture of bare weights (from the checkpoint)"),
      "batch-size": option("N", "images per batch (16)"),
      backend,
      engine: option("tfjs|onnxruntime", "inference engine (tfjs; onnxruntime for a .onnx FILE)"),
      threads,
      force: toggle("replace an existing --out file"),
      "skip-bad-images": skipBadImages,
    },
  },
  export: {
    summary: "weights as an ONNX model",
    usage: ["export --weights FILE --out model.onnx [options]"],
    flags: {
      weights: option("FILE", "our checkpoint or torchvision weights"),
      out: option("FILE", "the .onnx file to write"),
      arch: option("A", "architecture of bare weights (from the checkpoint)"),
      "image-size": option("WxH", "input size (from the checkpoint, else any)"),
      normalization: option(
        "outside|baked",
        "the checkpoint's normalisation in the graph? (outside)",
      ),
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
  verbose: toggle("print stack traces"),
  help: toggle("this help"),
  version: toggle("print the version"),
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
