import { existsSync } from "node:fs";
import { cpus } from "node:os";
import { BACKEND_CHOICES, type BackendChoice, startBackend } from "../backend";
import type { CommandContext } from "../command-context";
import { describeAdapter, previewWebGpu, SWIFTSHADER_ICD } from "../webgpu-adapter";

/** One backend as `reference doctor` reports it. */
export interface BackendReport {
  name: Exclude<BackendChoice, "auto">;
  /** Whether it starts here when asked for by name. */
  available: boolean;
  /** Where it runs (adapter or CPU), or why it does not start. */
  detail: string;
  /** Whether `--backend auto` would consider it (a software WebGPU adapter it would not). */
  usedByAuto: boolean;
}

function cpuName(): string {
  const list = cpus();
  return `${list[0]?.model.trim() ?? "unknown CPU"}, ${list.length} threads`;
}

/**
 * Starts every backend by name, one after the other, and says where each runs or why not
 * (webgpu: the adapter Dawn gives).
 *
 * @returns one report per backend, in the order `auto` tries them.
 */
export async function diagnoseBackends(): Promise<BackendReport[]> {
  const reports: BackendReport[] = [];
  for (const name of BACKEND_CHOICES) {
    if (name === "auto") continue;
    if (name === "webgpu") {
      // Dawn's adapter, asked in a child process: the CLI's own stderr stays free of the
      // Vulkan loader's warnings.
      const preview = await previewWebGpu();
      reports.push(
        preview.ok
          ? {
              name,
              available: true,
              detail: describeAdapter(preview.summary),
              usedByAuto: !preview.summary.software,
            }
          : { name, available: false, detail: preview.reason, usedByAuto: false },
      );
      continue;
    }
    const { failure } = await startBackend(name, { byName: true });
    if (failure !== null) {
      reports.push({ name, available: false, detail: failure, usedByAuto: false });
      continue;
    }
    const detail =
      name === "tensorflow-gpu" ? "a CUDA GPU through libtensorflow" : `CPU: ${cpuName()}`;
    reports.push({ name, available: true, detail, usedByAuto: true });
  }
  return reports;
}

/**
 * `reference doctor`: lists every backend, whether it is available, where it runs or why
 * not, and which one `--backend auto` picks.
 */
export async function doctorCommand(ctx: CommandContext): Promise<void> {
  const reports = await diagnoseBackends();
  for (const r of reports) {
    const status = r.available
      ? r.usedByAuto
        ? "available"
        : "available by name only"
      : "not available";
    ctx.log(`${r.name}: ${status}: ${r.detail}`);
  }
  const icd = process.env.VK_ICD_FILENAMES;
  ctx.log(
    icd
      ? `VK_ICD_FILENAMES=${icd}${existsSync(icd) ? "" : " (the file does not exist)"}`
      : existsSync(SWIFTSHADER_ICD)
        ? `VK_ICD_FILENAMES is not set; chromium's SwiftShader is installed: VK_ICD_FILENAMES=${SWIFTSHADER_ICD} gives webgpu a software adapter.`
        : "VK_ICD_FILENAMES is not set, and chromium's SwiftShader is not installed (apt-get install chromium gives webgpu a software adapter).",
  );
  const auto = reports.find((r) => r.available && r.usedByAuto);
  ctx.log(`auto: ${auto ? auto.name : "none"}`);
}
