// Worker-thread entry (not part of the public API): decodes with sharp and runs the batch's transform
// spec, built by the same code as on the main thread, so augmentation uses every core.
import { parentPort, workerData } from "node:worker_threads";
import { createRng, type RawImage } from "@celeba/augment";
import { decodeImage } from "./decode-image";
import { specPipeline } from "./spec-pipeline";
import type { WorkerJob, WorkerReply, WorkerSetup } from "./worker-pool";

const pipeline = specPipeline((workerData as WorkerSetup).steps);
const port = parentPort;

const fail = (id: number, stage: "decode" | "transform", error: unknown): void => {
  const reply: WorkerReply = {
    id,
    ok: false,
    stage,
    message: error instanceof Error ? error.message : String(error),
  };
  port?.postMessage(reply);
};

port?.on("message", (job: WorkerJob) => {
  decodeImage(new Uint8Array(job.bytes)).then(
    (img: RawImage) => {
      let reply: WorkerReply;
      try {
        const size = pipeline.outputSize({ width: img.width, height: img.height });
        const data = pipeline.apply(img, createRng(job.rngSeed));
        reply = {
          id: job.id,
          ok: true,
          data,
          height: size.height,
          width: size.width,
          channels: img.channels,
        };
      } catch (error) {
        fail(job.id, "transform", error);
        return;
      }
      port.postMessage(reply, [reply.data.buffer as ArrayBuffer]);
    },
    (error: unknown) => fail(job.id, "decode", error),
  );
});
