// Worker-thread entry (not part of the public API): decodes with sharp and runs one of @celeba/augment's
// ready pipelines, so augmentation uses every core instead of only the main thread.
import { parentPort, workerData } from "node:worker_threads";
import { celebaEvalTransform, celebaTrainTransform } from "@celeba/augment";
import { createRng } from "@celeba/augment/random";
import { decodeImage } from "./decode-image";
import type { WorkerJob, WorkerReply, WorkerSetup } from "./worker-pool";

const setup = workerData as WorkerSetup;
const pipeline =
  setup.factory === "celebaTrainTransform"
    ? celebaTrainTransform(setup.options ?? {})
    : celebaEvalTransform(setup.options ?? {});
const port = parentPort;

port?.on("message", (job: WorkerJob) => {
  decodeImage(new Uint8Array(job.bytes))
    .then((img) => {
      const size = pipeline.outputSize({ width: img.width, height: img.height });
      const data = pipeline.apply(img, createRng(job.rngSeed));
      const reply: WorkerReply = {
        id: job.id,
        ok: true,
        data,
        height: size.height,
        width: size.width,
        channels: img.channels,
      };
      port.postMessage(reply, [data.buffer as ArrayBuffer]);
    })
    .catch((error: unknown) => {
      const reply: WorkerReply = {
        id: job.id,
        ok: false,
        message: error instanceof Error ? error.message : String(error),
      };
      port.postMessage(reply);
    });
});
