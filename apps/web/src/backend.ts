import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-webgl";
import "@tensorflow/tfjs-backend-webgpu";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import * as tf from "@tensorflow/tfjs-core";

/** The backends the page offers, in the order `auto` tries them. */
export const BACKENDS = ["webgpu", "webgl", "wasm", "cpu"] as const;

/** A backend name, or `auto` for the first that initialises. */
export type BackendChoice = (typeof BACKENDS)[number] | "auto";

// The wasm binaries sit next to index.html (copied there by vite.config.ts).
setWasmPaths(new URL("./", document.baseURI).href);

/**
 * Switches tfjs to the chosen backend; `auto` takes the first of {@link BACKENDS} that
 * initialises in this browser.
 *
 * @returns The backend now in use.
 * @throws When the chosen backend cannot start here.
 */
export async function useBackend(choice: BackendChoice): Promise<string> {
  const candidates = choice === "auto" ? BACKENDS : [choice];
  for (const name of candidates) {
    try {
      if (await tf.setBackend(name)) {
        await tf.ready();
        if (name === "webgpu") watchDevice();
        return tf.getBackend();
      }
    } catch {
      // Try the next one (auto) or report below.
    }
  }
  throw new Error(
    choice === "auto"
      ? "no tfjs backend could start in this browser"
      : `the ${choice} backend cannot start in this browser; pick another or auto`,
  );
}

/** Reports WebGPU errors that would otherwise only show up as zeros or a failed allocation later. */
function watchDevice(): void {
  const device = (tf.backend() as unknown as { device?: GPUDevice }).device;
  if (!device || watched.has(device)) return;
  watched.add(device);
  device.lost.then((info) => console.error(`WebGPU device lost (${info.reason}): ${info.message}`));
  device.addEventListener("uncapturederror", (event) =>
    console.error(`WebGPU error: ${(event as GPUUncapturedErrorEvent).error.message}`),
  );
}
const watched = new WeakSet<object>();
