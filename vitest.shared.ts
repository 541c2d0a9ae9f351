import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type ViteUserConfig } from "vitest/config";

const root = dirname(fileURLToPath(import.meta.url));

// Tests import sibling packages from their sources, so that `pnpm test` inside
// one package works without building the others first.
function workspaceAliases(): Record<string, string> {
  // Subpath entry points first: vite matches aliases by prefix, in order, and `@celeba/x`
  // would also match `@celeba/x/sub`.
  const aliases: Record<string, string> = {
    "@celeba/internal/node": join(root, "packages", "internal", "src", "node.ts"),
    "@celeba/resnext/onnx": join(root, "packages", "resnext", "src", "onnx", "index.ts"),
    "@celeba/resnext/kernels": join(root, "packages", "resnext", "src", "kernels", "index.ts"),
    "@celeba/resnext/weights": join(root, "packages", "resnext", "src", "weights", "index.ts"),
    "@celeba/data/annotations": join(root, "packages", "data", "src", "annotations.ts"),
  };
  for (const dir of readdirSync(join(root, "packages"))) {
    aliases[`@celeba/${dir}`] = join(root, "packages", dir, "src", "index.ts");
  }
  return aliases;
}

/** The vitest config every package extends. */
export function packageTestConfig(overrides: ViteUserConfig["test"] = {}): ViteUserConfig {
  return defineConfig({
    resolve: { alias: workspaceAliases() },
    test: {
      include: ["src/**/*.test.ts", "test/**/*.test.ts"],
      // Timeouts catch hangs, not slowness: CI runs every package's suite at once on 2 cores,
      // where a test that takes 30 s alone has taken over 3 minutes.
      testTimeout: 600_000,
      hookTimeout: 600_000,
      ...overrides,
    },
  });
}
