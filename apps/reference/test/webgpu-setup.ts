import { SWIFTSHADER_ICD } from "../src/webgpu-adapter";

/**
 * Whether this run is CI's: there a missing WebGPU adapter fails the webgpu tests instead of
 * skipping them (`.ci/run` installs chromium, whose SwiftShader gives one).
 */
export const IN_CI = process.env.CI === "true" || process.env.CI === "1";

/**
 * Points Vulkan at chromium's SwiftShader, unless the environment already names a driver (a
 * developer with a GPU can set VK_ICD_FILENAMES to theirs). Must run before Dawn first loads.
 */
export function useSwiftShaderUnlessSet(): void {
  process.env.VK_ICD_FILENAMES ??= SWIFTSHADER_ICD;
}
