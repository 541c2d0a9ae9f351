import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import * as tf from "@tensorflow/tfjs-core";

/**
 * The few parts of WebGPU's `GPUAdapter` this module reads. Declared here so that the CLI
 * type-checks without `@webgpu/types`, and without `webgpu` (an optional dependency).
 */
interface Adapter {
  readonly info: {
    vendor: string;
    architecture: string;
    device: string;
    description: string;
    isFallbackAdapter?: boolean;
  };
  readonly isFallbackAdapter?: boolean;
  readonly features: ReadonlySet<string>;
  readonly limits: Record<string, number>;
  requestDevice(descriptor: object): Promise<Device>;
}

interface Device {
  addEventListener(
    type: "uncapturederror",
    listener: (event: { error: { message: string } }) => void,
  ): void;
}

/** What the CLI prints about a WebGPU adapter. */
export interface AdapterSummary {
  /** e.g. `nvidia`, `google`. */
  vendor: string;
  /** e.g. `ampere`, `swiftshader`. */
  architecture: string;
  /** The driver's device string, e.g. `swiftshader-device-subzero-`. */
  device: string;
  /** e.g. `SwiftShader driver 5.0.0`. */
  description: string;
  /** A CPU implementation of the GPU API (SwiftShader, lavapipe, llvmpipe, or `isFallbackAdapter`). */
  software: boolean;
}

/** What {@link probeWebGpu} found: an adapter, or why there is none. */
export type WebGpuProbe =
  | { ok: true; adapter: Adapter; summary: AdapterSummary }
  | { ok: false; reason: string };

/** Where Debian's `chromium` package puts SwiftShader's Vulkan driver description. */
export const SWIFTSHADER_ICD = "/usr/lib/chromium/vk_swiftshader_icd.json";

const SOFTWARE_NAMES = /swiftshader|lavapipe|llvmpipe|softpipe|warp|basic render/i;

/**
 * Summarises an adapter's info. A software adapter is one that says so (`isFallbackAdapter`)
 * or whose names are a known CPU implementation: lavapipe does not always set the flag.
 */
export function summarizeAdapter(
  adapter: Pick<Adapter, "info" | "isFallbackAdapter">,
): AdapterSummary {
  const { vendor = "", architecture = "", device = "", description = "" } = adapter.info;
  const software =
    adapter.info.isFallbackAdapter === true ||
    adapter.isFallbackAdapter === true ||
    SOFTWARE_NAMES.test([vendor, architecture, device, description].join(" "));
  return { vendor, architecture, device, description, software };
}

/** One line naming the adapter, e.g. `google swiftshader (SwiftShader driver 5.0.0), software`. */
export function describeAdapter(s: AdapterSummary): string {
  const name = [s.vendor, s.architecture].filter(Boolean).join(" ") || "unnamed adapter";
  const detail = s.description || s.device;
  return `${name}${detail ? ` (${detail})` : ""}, ${s.software ? "a software adapter (CPU)" : "hardware"}`;
}

interface Gpu {
  requestAdapter(options?: object): Promise<Adapter | null>;
}

let dawn: { create(flags: string[]): Gpu } | undefined;
// Dawn's instance must outlive every adapter and device made from it: when it is garbage
// collected the process dies. One per process, like a browser's `navigator.gpu`.
let gpu: Gpu | undefined;

/**
 * Loads Dawn (the `webgpu` package) and asks it for a high-performance adapter.
 *
 * @returns the adapter and its summary, or why there is none (not installed, no driver).
 */
export async function probeWebGpu(): Promise<WebGpuProbe> {
  if (!dawn) {
    try {
      const mod = (await import("webgpu")) as unknown as {
        create: NonNullable<typeof dawn>["create"];
        globals: object;
      };
      // tfjs-backend-webgpu reads GPUBufferUsage, GPUMapMode and friends from the global scope,
      // as a browser has them.
      Object.assign(globalThis, mod.globals);
      dawn = mod;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (/Cannot find (module|package)/.test(message) && message.includes("webgpu")) {
        return { ok: false, reason: NOT_INSTALLED };
      }
      return {
        ok: false,
        reason: `the webgpu package (Dawn) failed to load: ${message.split("\n")[0]}`,
      };
    }
  }
  let adapter: Adapter | null = null;
  try {
    if (!gpu) {
      gpu = dawn.create([]);
      // tfjs' WebGPUBackend refuses to start unless `navigator.gpu` exists, as in a browser.
      const nav = (globalThis as { navigator?: object }).navigator;
      if (nav === undefined) {
        Object.defineProperty(globalThis, "navigator", { value: { gpu }, configurable: true });
      } else if (!("gpu" in nav)) {
        Object.defineProperty(nav, "gpu", { value: gpu, configurable: true });
      }
    }
    adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
  } catch (error) {
    return {
      ok: false,
      reason: `Dawn could not look for adapters: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  if (!adapter) return { ok: false, reason: noAdapterReason() };
  return { ok: true, adapter, summary: summarizeAdapter(adapter) };
}

const NOT_INSTALLED =
  "the webgpu package (Dawn) is not installed: it is an optional dependency, reinstall without --no-optional.";

/**
 * What adapter Dawn would give, asked in a child process. Looking for adapters makes the Vulkan
 * loader and Dawn write warnings straight to the process's stderr (a missing XDG_RUNTIME_DIR, a
 * rejected lavapipe); `--backend auto` and `doctor` look without that noise, and load Dawn into
 * the CLI itself only to use an adapter.
 *
 * @returns the adapter's summary, or why there is none.
 */
export async function previewWebGpu(): Promise<
  { ok: true; summary: AdapterSummary } | { ok: false; reason: string }
> {
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve("webgpu");
  } catch {
    return { ok: false, reason: NOT_INSTALLED };
  }
  const script = [
    `import { create } from ${JSON.stringify(pathToFileURL(entry).href)};`,
    "const a = await create([]).requestAdapter({ powerPreference: 'high-performance' });",
    "const i = a?.info;",
    "const info = i && { vendor: i.vendor, architecture: i.architecture, device: i.device, description: i.description, isFallbackAdapter: i.isFallbackAdapter };",
    'process.stdout.write("\\n" + JSON.stringify(info ?? null) + "\\n", () => process.exit(0));',
  ].join("\n");
  let stdout: string;
  try {
    ({ stdout } = await promisify(execFile)(
      process.execPath,
      ["--input-type=module", "-e", script],
      { timeout: 60_000, encoding: "utf8" },
    ));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      reason: `the webgpu package (Dawn) failed to load: ${message.split("\n")[0]}`,
    };
  }
  const info = JSON.parse(stdout.trim().split("\n").pop() ?? "null") as Adapter["info"] | null;
  if (!info) return { ok: false, reason: noAdapterReason() };
  return { ok: true, summary: summarizeAdapter({ info }) };
}

function noAdapterReason(): string {
  const icd = process.env.VK_ICD_FILENAMES;
  return (
    "Dawn found no GPU adapter (it needs a Vulkan, Metal or D3D12 driver" +
    (icd ? `; VK_ICD_FILENAMES=${icd} gave none` : "") +
    `). For a software one on Debian, install chromium and set VK_ICD_FILENAMES=${SWIFTSHADER_ICD}.`
  );
}

const gpuErrors: string[] = [];

/**
 * Errors the GPU device reported on its own (invalid WGSL, validation failures) since the
 * webgpu backend started. tfjs does not throw for them: a kernel that fails this way computes
 * nothing, so tests assert this stays empty.
 */
export function webGpuErrors(): readonly string[] {
  return gpuErrors;
}

/**
 * Registers tfjs' webgpu backend on `adapter` (the same device descriptor tfjs asks for in a
 * browser) and makes it current; once started, later calls make the same one current again.
 *
 * @returns null when it runs, or why not.
 */
export async function startWebGpuBackend(adapter: Adapter): Promise<string | null> {
  try {
    const { WebGPUBackend } = await import("@tensorflow/tfjs-backend-webgpu");
    // Started before in this process (the demo trains, then predicts): keep its device, on
    // which tensors may still live.
    if (tf.findBackend("webgpu")) {
      return (await tf.setBackend("webgpu")) ? null : "the webgpu backend did not initialise.";
    }
    // Importing tfjs-backend-webgpu registers its own factory once `navigator.gpu` exists;
    // ours replaces it, to use this adapter and to hear the device's errors.
    if (tf.findBackendFactory("webgpu")) tf.removeBackend("webgpu");
    tf.registerBackend("webgpu", async () => {
      const limits = adapter.limits;
      const device = await adapter.requestDevice({
        requiredFeatures: adapter.features.has("timestamp-query") ? ["timestamp-query"] : [],
        requiredLimits: {
          maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
          maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
          maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
          maxBufferSize: limits.maxBufferSize,
          maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
          maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
        },
      });
      device.addEventListener("uncapturederror", (event) => {
        const message = event.error.message.split("\n")[0] ?? "";
        if (gpuErrors.length < 100) gpuErrors.push(message);
        console.error(`webgpu: ${message}`);
      });
      return new WebGPUBackend(device as never, adapter.info as never);
    });
    if (!(await tf.setBackend("webgpu"))) return "the webgpu backend did not initialise.";
    return null;
  } catch (error) {
    return `the webgpu backend failed to start: ${error instanceof Error ? error.message : String(error)}`;
  }
}
