import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import { readStateDict } from "@celeba/resnext";
import { type EpochRecord, evaluate, selectBestEpoch } from "@celeba/train";
import { BACKEND_CHOICES, backendLines, selectBackend } from "../backend";
import type { CommandContext } from "../command-context";
import { CliError } from "../errors";
import { writeRunOutputs } from "../finish-run";
import { chooseEngine } from "../onnx-engine";
import { onnxRuntimeEvaluator } from "../onnx-evaluate";
import { openExistingRunFolder } from "../output-folder";
import { buildModel, evalSource, isRealCelebA, loadRunData } from "../pipeline";
import { oneOf, type RunConfig } from "../run-config";
import { listEpochCheckpoints, readRunConfig } from "../run-folder";

/**
 * `reference evaluate --run RUN [--data DIR]`: validates every epoch's checkpoint, picks the
 * best by validation accuracy, tests it and writes the report, as the seed did with its 12 models.
 */
export async function evaluateCommand(ctx: CommandContext): Promise<void> {
  const runDir = resolve(ctx.requireString("run", 'the run folder made by "reference train"'));
  const config = await readRunConfig(runDir);
  const dataFlag = ctx.string("data");
  if (dataFlag) config.data = resolve(dataFlag);
  if (ctx.bool("skip-bad-images")) config.skipBadImages = true;
  // The saved backend is where the run trained; --backend says where to evaluate it now.
  const backendFlag = ctx.string("backend");
  if (backendFlag !== undefined) config.backend = oneOf("backend", backendFlag, BACKEND_CHOICES);
  // evaluate rewrites the run's reports: no training or other evaluate may write it meanwhile.
  const lock = openExistingRunFolder(runDir, "evaluate");
  try {
    await evaluateLocked(ctx, runDir, config);
  } finally {
    lock.release();
  }
}

async function evaluateLocked(ctx: CommandContext, runDir: string, config: RunConfig) {
  const checkpoints = listEpochCheckpoints(runDir);
  if (checkpoints.length === 0)
    throw new CliError(`${runDir}/checkpoints holds no epoch-NN.safetensors: train first.`);

  const backend = await selectBackend(config.backend, { forTraining: false });
  for (const line of backendLines(backend)) ctx.log(line);
  const onnxRuntime = chooseEngine(ctx.string("engine"), null) === "onnxruntime";
  const score = onnxRuntime
    ? onnxRuntimeEvaluator({
        threads: ctx.int("threads", availableParallelism()),
        inputSize: config.imageSize,
      })
    : evaluate;
  if (onnxRuntime) ctx.log("engine: onnxruntime");
  const data = await loadRunData(config);
  const names = data.dataset.attributeNames;
  const model = await buildModel({ ...config, weights: null }, names.length, () => {});
  try {
    const history: EpochRecord[] = [];
    const trainHistory = new Map<number, EpochRecord>();
    try {
      const saved = JSON.parse(readFileSync(join(runDir, "history.json"), "utf8"));
      for (const h of saved as EpochRecord[]) trainHistory.set(h.epoch, h);
    } catch {
      // Without history.json the train columns stay empty; validation is recomputed anyway.
    }
    for (const { epoch, path } of checkpoints) {
      model.loadStateDict(await readStateDict(path));
      const val = await score(model, evalSource(config, data, "val")(), { loss: config.loss });
      const t = trainHistory.get(epoch);
      history.push({
        epoch,
        trainLoss: t?.trainLoss ?? Number.NaN,
        trainAccuracy: t?.trainAccuracy ?? Number.NaN,
        valLoss: val.loss,
        valAccuracy: val.accuracy,
        seconds: t?.seconds ?? 0,
      });
      ctx.log(`epoch ${epoch}: validation accuracy ${(val.accuracy * 100).toFixed(2)}%`);
    }
    const bestEpoch = selectBestEpoch(history);
    const best = checkpoints.find((c) => c.epoch === bestEpoch)!;
    model.loadStateDict(await readStateDict(best.path));
    const test = await score(model, evalSource(config, data, "test")(), { loss: config.loss });
    const summary = await writeRunOutputs({
      runDir,
      title: `${config.arch} on ${config.data}`,
      config: { ...config },
      history,
      bestEpoch,
      test,
      attributeNames: names,
      realCelebA: isRealCelebA(data.dataset),
    });
    ctx.log(
      `best epoch ${bestEpoch}: test accuracy ${(summary.testAccuracy * 100).toFixed(2)}% ` +
        `(majority baseline ${(summary.majorityBaselineAccuracy * 100).toFixed(2)}%)`,
    );
  } finally {
    model.dispose();
    await data.dataset.close();
  }
}
