import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import { createModel, readSafetensors } from "@celeba/resnext";
import { it } from "vitest";
import { describeAdapter, probeWebGpu, startWebGpuBackend, webGpuErrors } from "./webgpu-adapter";

it("explore", async () => {
  process.env.VK_ICD_FILENAMES ??= "/usr/lib/chromium/vk_swiftshader_icd.json";
  const p = await probeWebGpu();
  if (!p.ok) throw new Error(p.reason);
  console.log(describeAdapter(p.summary));
  const sd = await readSafetensors(
    join(__dirname, "../../../packages/resnext/fixtures/resnext_tiny.safetensors"),
  );
  const run = async (training: boolean) => {
    const model = createModel({ arch: "resnext_tiny", numClasses: 10 });
    model.loadStateDict(sd);
    model.freeze(6);
    const x = tf.randomUniform([2, 40, 32, 3], -1, 1, "float32", 1) as tf.Tensor4D;
    const t0 = Date.now();
    const { value, grads } = tf.variableGrads(
      () => tf.mean(tf.square(model.apply(x, { training }))) as tf.Scalar,
    );
    const out = {
      loss: (await value.data())[0],
      g: Object.fromEntries(
        await Promise.all(Object.entries(grads).map(async ([k, v]) => [k, await v.data()])),
      ),
    };
    console.log("step ms", Date.now() - t0, tf.getBackend());
    return out;
  };
  await tf.setBackend("cpu");
  const c = await run(true);
  const err = await startWebGpuBackend(p.adapter);
  if (err) throw new Error(err);
  const g1 = await run(true);
  const g2 = await run(true);
  console.log("errors", webGpuErrors().length, webGpuErrors().slice(0, 3));
  console.log("loss", c.loss, g2.loss);
  let worst = 0;
  for (const k of Object.keys(c.g)) {
    const a = c.g[k]!,
      b = g2.g[k]!;
    let m = 0,
      d = 0;
    for (let i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs(a[i]!));
      d = Math.max(d, Math.abs(a[i]! - b[i]!));
    }
    worst = Math.max(worst, d / (m || 1));
  }
  console.log("grads", Object.keys(c.g).length, "worst rel", worst);
}, 600_000);
