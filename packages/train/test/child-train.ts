/**
 * Child process of sigkill.test.ts: trains (or resumes) the tiny model on the cpu backend.
 * Run as `node --import tsx test/child-train.ts <runDir> <stepDelayMs>` with
 * TSX_TSCONFIG_PATH=test/tsconfig.child.json. Prints "ready" once training starts, and "step"
 * after each optimizer step (before that step's delay), so the parent can kill it mid-run.
 */
// The union package registers every gradient; tfjs-core alone registers none under plain Node.
import "@tensorflow/tfjs";
import { existsSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { resume, train } from "../src/index";
import { dataSource, syntheticData, tinyModel } from "./helpers";

const [runDir = "", delayText = "0"] = process.argv.slice(2);
const delay = Number(delayText);
await tf.setBackend("cpu");
const K = 5;
const inputs = {
  model: tinyModel({ numClasses: K }),
  trainData: dataSource(syntheticData(96, K, 1), 8, 7),
  valData: dataSource(syntheticData(32, K, 2), 16, 0, false),
  progress: false,
  hooks: {
    onStepEnd: () => {
      process.stdout.write("step\n");
      return new Promise<void>((r) => setTimeout(r, delay));
    },
  },
};
process.stdout.write("ready\n");
const result = existsSync(join(runDir, "run.json"))
  ? await resume(runDir, inputs)
  : await train({
      ...inputs,
      runDir,
      epochs: 3,
      seed: 11,
      checkpointEverySteps: 2,
      optimizer: { name: "adamax", lr: 0.01 },
    });
process.stdout.write(`done ${result.status}\n`);
