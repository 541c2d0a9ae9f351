import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import util from "node:util";
import * as tf from "@tensorflow/tfjs-core";
import { CliError } from "./errors";
import {
  type AdapterSummary,
  describeAdapter,
  previewWebGpu,
  probeWebGpu,
  startWebGpuBackend,
} from "./webgpu-adapter";

/** The backends the CLI can run on, in the order `auto` tries them. */
export const BACKEND_CHOICES = [
  "auto",
  "tensorflow-gpu",
  "webgpu",
  "tensorflow",
  "wasm",
  "cpu",
] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/** What `selectBackend` got, and why each better backend was passed over. */
export interface BackendSelection {
  /** The choice that won, e.g. `"tensorflow-gpu"`. */
  name: Exclude<BackendChoice, "auto">;
  /** tfjs' own name for the registered backend (`tensorflow`, `wasm`, `cpu`). */
  tfName: string;
  /** One line per backend tried before `name`, saying why it was not used. */
  skipped: string[];
  /** The GPU adapter, when `name` is `webgpu`. */
  adapter?: AdapterSummary;
}

const require = createRequire(import.meta.url);

// tfjs-node 4.22 calls util.isNullOrUndefined, which Node 23 removed; without it the
// import itself throws before a single op runs.
function polyfillNodeUtil(): void {
  const u = util as unknown as Record<string, unknown>;
  if (typeof u.isNullOrUndefined !== "function") {
    u.isNullOrUndefined = (v: unknown) => v === null || v === undefined;
  }
}

function explainNativeFailure(pkg: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/Cannot find (module|package)/.test(message) && message.includes(pkg)) {
    return `${pkg} is not installed (it is an optional dependency; install it to use native TensorFlow).`;
  }
  if (/tfjs_binding\.node/.test(message) || /libtensorflow/.test(message)) {
    return (
      `${pkg} is installed but its native addon is missing: its install script could not download ` +
      `libtensorflow (blocked or offline). Re-run \`npm rebuild ${pkg}\` on a machine with network access.`
    );
  }
  if (/libcud|cudnn|CUDA/i.test(message)) {
    return `${pkg} needs CUDA 11.2 and cuDNN 8.1 on the library path: ${message.split("\n")[0]}`;
  }
  return `${pkg} failed to load: ${message.split("\n")[0]}`;
}

async function tryNative(
  pkg: "@tensorflow/tfjs-node-gpu" | "@tensorflow/tfjs-node",
): Promise<string | null> {
  polyfillNodeUtil();
  // Both native packages register the same "tensorflow" kernels as they load, even when their
  // addon then fails; the second one's hundreds of "already registered" warnings say nothing.
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!(typeof args[0] === "string" && args[0].endsWith("is already registered"))) warn(...args);
  };
  try {
    await import(pkg);
  } catch (error) {
    return explainNativeFailure(pkg, error);
  } finally {
    console.warn = warn;
  }
  if (!(await tf.setBackend("tensorflow"))) {
    return `${pkg} loaded but the "tensorflow" backend did not initialise.`;
  }
  return null;
}

async function tryWasm(): Promise<string | null> {
  try {
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    // In Node the .wasm binaries are read from the package's dist folder.
    const distDir = dirname(
      require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"),
    );
    wasm.setWasmPaths(`${join(distDir, "/")}`);
    if (!(await tf.setBackend("wasm"))) return "the wasm backend did not initialise.";
    return null;
  } catch (error) {
    return `the wasm backend failed to load: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/**
 * webgpu through Dawn. A software adapter (SwiftShader, lavapipe) is correct but slower than
 * wasm, so `auto` passes it over; `--backend webgpu` takes it.
 */
async function tryWebGpu(
  byName: boolean,
  found: { adapter?: AdapterSummary },
): Promise<string | null> {
  if (!byName) {
    const preview = await previewWebGpu();
    if (!preview.ok) return preview.reason;
    if (preview.summary.software) {
      return (
        `only a software adapter: ${describeAdapter(preview.summary)}, slower than wasm. ` +
        "Ask for it with --backend webgpu."
      );
    }
  }
  const probe = await probeWebGpu();
  if (!probe.ok) return probe.reason;
  const failure = await startWebGpuBackend(probe.adapter);
  if (failure === null) found.adapter = probe.summary;
  return failure;
}

async function tryCpu(): Promise<string | null> {
  await import("@tensorflow/tfjs-backend-cpu");
  return (await tf.setBackend("cpu")) ? null : "the cpu backend did not initialise.";
}

/**
 * Starts one backend and makes it current.
 *
 * @param name - the backend.
 * @param options.byName - asked for by name: a software WebGPU adapter is taken only then.
 * @returns null as `failure` when it runs (with the GPU adapter for webgpu), or why not.
 */
export async function startBackend(
  name: Exclude<BackendChoice, "auto">,
  options: { byName: boolean },
): Promise<{ failure: string | null; adapter?: AdapterSummary }> {
  switch (name) {
    case "tensorflow-gpu":
      return { failure: await tryNative("@tensorflow/tfjs-node-gpu") };
    case "webgpu": {
      const found: { adapter?: AdapterSummary } = {};
      const failure = await tryWebGpu(options.byName, found);
      return { failure, ...found };
    }
    case "tensorflow":
      return { failure: await tryNative("@tensorflow/tfjs-node") };
    case "wasm":
      return { failure: await tryWasm() };
    case "cpu":
      return { failure: await tryCpu() };
  }
}

/**
 * What the CLI prints about the backend it runs on: its name, the GPU adapter for webgpu, and
 * why each better backend was passed over.
 */
export function backendLines(selection: BackendSelection): string[] {
  const on = selection.adapter ? ` on ${describeAdapter(selection.adapter)}` : "";
  return [`backend: ${selection.name}${on}`, ...selection.skipped.map((s) => `  not ${s}`)];
}

/**
 * Picks the tfjs backend. `auto` tries tfjs-node-gpu, then webgpu on a hardware adapter, then
 * tfjs-node, then wasm, then cpu.
 * wasm trains too: @celeba/resnext computes convolution gradients with ops wasm has, since
 * the backend itself has no convolution gradient kernels.
 *
 * @param choice - one of {@link BACKEND_CHOICES}.
 * @param options.forTraining - whether gradients are needed (registers tfjs' gradient functions).
 * @returns the backend that was set, and why better ones were skipped.
 * @throws CliError when an explicitly requested backend cannot be used.
 */
export async function selectBackend(
  choice: BackendChoice,
  options: { forTraining: boolean },
): Promise<BackendSelection> {
  if (!(BACKEND_CHOICES as readonly string[]).includes(choice)) {
    throw new CliError(`unknown backend "${choice}": choose one of ${BACKEND_CHOICES.join(", ")}.`);
  }
  // tfjs-core's Node bundle registers no gradient functions; the union package's bundle does,
  // into the registry every tfjs-core copy shares.
  if (options.forTraining) await import("@tensorflow/tfjs");
  const skipped: string[] = [];
  for (const name of BACKEND_CHOICES) {
    if (name === "auto" || (choice !== "auto" && choice !== name)) continue;
    const { failure, adapter } = await startBackend(name, { byName: choice === name });
    if (failure === null) {
      // The cpu backend's "install tfjs-node" banner repeats what `skipped` already says.
      tf.env().set("PROD", true);
      return { name, tfName: tf.getBackend(), skipped, ...(adapter ? { adapter } : {}) };
    }
    if (choice !== "auto") {
      throw new CliError(
        `--backend ${choice} is not usable here: ${failure} Use --backend auto to fall back.`,
      );
    }
    skipped.push(`${name}: ${failure}`);
  }
  throw new CliError(`no tfjs backend could be started: ${skipped.join(" ")}`);
}
