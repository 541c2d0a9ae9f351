import { availableParallelism } from "node:os";
import type * as Ort from "onnxruntime-node";
import { CliError } from "./errors";
import { oneOf } from "./flag-values";

/** The inference engines of `predict` and `evaluate`. */
export const ENGINE_CHOICES = ["tfjs", "onnxruntime"] as const;
/** One of {@link ENGINE_CHOICES}. */
export type Engine = (typeof ENGINE_CHOICES)[number];

type OrtModule = typeof Ort;

/** The message when `onnxruntime-node` cannot be loaded, with how to install it. */
export function onnxRuntimeMissingMessage(detail: string): string {
  return (
    `--engine onnxruntime needs the optional package onnxruntime-node, which could not be loaded (${detail}). ` +
    'Install it with "pnpm add onnxruntime-node" in apps/reference (or "npm install onnxruntime-node" beside the CLI); ' +
    "its CPU build ships in the package, so its CUDA download script may stay unapproved. Or use --engine tfjs."
  );
}

/**
 * Loads `onnxruntime-node`, an optional dependency, or throws a {@link CliError} that says how
 * to install it. `importer` is for tests.
 */
export async function loadOnnxRuntime(
  importer: () => Promise<unknown> = () => import("onnxruntime-node"),
): Promise<OrtModule> {
  try {
    const mod = (await importer()) as OrtModule & { default?: OrtModule };
    return mod.InferenceSession ? mod : (mod.default as OrtModule);
  } catch (error) {
    throw new CliError(onnxRuntimeMissingMessage((error as Error).message.split("\n")[0]!), {
      cause: error,
    });
  }
}

/** Options of {@link OnnxScorer.create}. */
export interface OnnxScorerOptions {
  /** Intra-op threads. Default every core (`os.availableParallelism()`). */
  threads?: number;
  /** For messages: where the model came from. */
  source: string;
}

/**
 * An ONNX model on ONNX Runtime (CPU) that scores the NHWC batches our data pipeline makes,
 * prepared as the model wants them (normalised, or in [0, 1] for a graph that normalises): it
 * lays them out NCHW and returns the first output, row-major.
 */
export class OnnxScorer {
  private constructor(
    private readonly ort: OrtModule,
    private readonly session: Ort.InferenceSession,
  ) {}

  /**
   * Creates a session on `onnxruntime-node` for a model's bytes or its file: ONNX Runtime reads
   * a file itself, several times faster than handing it the bytes.
   */
  static async create(model: Uint8Array | string, options: OnnxScorerOptions): Promise<OnnxScorer> {
    const ort = await loadOnnxRuntime();
    const threads = options.threads ?? availableParallelism();
    let session: Ort.InferenceSession;
    try {
      const sessionOptions = {
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        graphOptimizationLevel: "all",
        // Idle threads sleep instead of spinning: on cores shared with other work, spinning
        // threads steal the time the busy ones need (batch 1 at 2 threads under load: 1.9x the
        // wall time and 1.7x the CPU time with spinning, bench/README.md).
        extra: { session: { intra_op: { allow_spinning: "0" } } },
      } as const;
      session =
        typeof model === "string"
          ? await ort.InferenceSession.create(model, sessionOptions)
          : await ort.InferenceSession.create(model, sessionOptions);
    } catch (error) {
      throw new CliError(
        `${options.source}: ONNX Runtime cannot load this model (${(error as Error).message.split("\n")[0]}). ` +
          'Export it again with "reference export".',
        { cause: error },
      );
    }
    return new OnnxScorer(ort, session);
  }

  /** Scores one batch: `images` NHWC `[n, h, w, 3]`; returns `n x outputs` scores. */
  async run(
    images: Float32Array,
    shape: readonly [number, number, number, number],
  ): Promise<Float32Array> {
    const [n, h, w, c] = shape;
    const nchw = new Float32Array(images.length);
    const plane = h * w;
    for (let i = 0; i < n; i++) {
      for (let p = 0; p < plane; p++) {
        const src = (i * plane + p) * c;
        for (let ch = 0; ch < c; ch++) nchw[(i * c + ch) * plane + p] = images[src + ch]!;
      }
    }
    const input = this.session.inputNames[0]!;
    const output = this.session.outputNames[0]!;
    // One image per run: a batch's activations outgrow the CPU caches, and on this project's
    // bench machine batch 16 runs each image 1.5x slower than batch 1 at one thread (1.1x at
    // two; docs/benchmarks.md). Each image's scores are the same either way.
    const size = c * plane;
    let scores: Float32Array | null = null;
    for (let i = 0; i < n; i++) {
      const result = await this.session.run({
        [input]: new this.ort.Tensor("float32", nchw.subarray(i * size, (i + 1) * size), [
          1,
          c,
          h,
          w,
        ]),
      });
      const tensor = result[output]!;
      const row = tensor.data as Float32Array;
      scores ??= new Float32Array(n * row.length);
      scores.set(row, i * row.length);
      tensor.dispose();
    }
    return scores ?? new Float32Array(0);
  }

  /** Frees the session. */
  async release(): Promise<void> {
    await this.session.release();
  }
}

/**
 * The engine to use: `--engine` when given; otherwise ONNX Runtime for an `.onnx` file and
 * tfjs for anything else. An `.onnx` file with `--engine tfjs` is an error.
 */
export function chooseEngine(flag: string | undefined, weights: string | null): Engine {
  const isOnnx = weights !== null && /\.onnx$/i.test(weights);
  if (flag === undefined) return isOnnx ? "onnxruntime" : "tfjs";
  const engine = oneOf("engine", flag, ENGINE_CHOICES);
  if (isOnnx && engine === "tfjs") {
    throw new CliError(
      `${weights} is an ONNX model, which only --engine onnxruntime runs: drop --engine tfjs, or give a .pth/.safetensors file.`,
    );
  }
  return engine;
}
