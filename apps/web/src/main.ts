import type { RawImage } from "@celeba/augment";
import type { EpochRecord } from "@celeba/train";
import * as tf from "@tensorflow/tfjs-core";
import { drawAccuracyChart } from "./accuracy-chart";
import { type BackendChoice, useBackend } from "./backend";
import { readPickedCelebA } from "./celeba-files";
import { type LoadedCheckpoint, loadCheckpoint } from "./checkpoint-file";
import { decodeImage } from "./decode-image";
import { fineTune } from "./fine-tune";
import { predictImage } from "./predict-image";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = $("status");
const backendSelect = $<HTMLSelectElement>("backend");
const attributesList = $<HTMLOListElement>("attributes");
const trainStatus = $("train-status");

/** The page's state: the checkpoint's bytes (to rebuild the model on another backend), the model and the photo. */
const state: {
  checkpoint?: { bytes: Uint8Array; name: string };
  loaded?: LoadedCheckpoint;
  image?: { raw: RawImage; name: string };
  training: boolean;
} = { training: false };

/** Runs one step of UI work at a time, so a backend switch never races a prediction. */
let queue: Promise<unknown> = Promise.resolve();
function serially(task: () => Promise<void>): void {
  queue = queue.then(task).catch((error: unknown) => {
    status.textContent = `error: ${(error as Error).message}`;
    console.error(error);
  });
}

async function switchBackend(): Promise<void> {
  status.textContent = "starting backend";
  const name = await useBackend(backendSelect.value as BackendChoice);
  $("backend-in-use").textContent = `in use: ${name}`;
  attributesList.dataset.backend = name;
  if (state.checkpoint) await buildModel();
}

async function buildModel(): Promise<void> {
  const { bytes, name } = state.checkpoint!;
  status.textContent = "loading model";
  state.loaded?.model.dispose();
  state.loaded = undefined;
  state.loaded = await loadCheckpoint(bytes, name);
  const m = state.loaded.meta;
  const size = m.inputSize ? `${m.inputSize.width}x${m.inputSize.height}` : "any size";
  $("model-info").textContent =
    `${name}: ${m.architecture}, ${state.loaded.names.length} attributes, input ${size}` +
    (m.epoch !== null ? `, epoch ${m.epoch}` : "");
  if (m.inputSize) $<HTMLInputElement>("train-size").value = size;
  status.textContent = state.image ? "predicting" : "model loaded: choose a photo";
}

async function predict(): Promise<void> {
  if (!state.loaded || !state.image) return;
  status.textContent = "predicting";
  const { scores, milliseconds } = await predictImage(state.loaded, state.image.raw);
  showScores(state.loaded.names, scores);
  attributesList.dataset.image = state.image.name;
  $("timing").textContent = `${milliseconds.toFixed(1)} ms per inference on ${tf.getBackend()}`;
  status.textContent = "ready";
}

function showScores(names: readonly string[], scores: Float32Array): void {
  const order = names.map((_, i) => i).sort((a, b) => Math.abs(scores[b]!) - Math.abs(scores[a]!));
  const scale = Math.max(1, ...Array.from(scores, Math.abs));
  attributesList.replaceChildren(
    ...order.map((i) => {
      const score = scores[i]!;
      const li = document.createElement("li");
      li.dataset.testid = "attribute";
      li.dataset.attribute = names[i]!;
      li.dataset.score = String(score);
      li.dataset.decision = score >= 0 ? "1" : "-1";
      const label = document.createElement("span");
      label.textContent = `${score >= 0 ? "✓" : "✗"} ${names[i]!.replaceAll("_", " ")}`;
      const bar = document.createElement("span");
      bar.className = "bar";
      const fill = document.createElement("span");
      fill.className = score >= 0 ? "pos" : "neg";
      fill.style.width = `${(Math.abs(score) / scale) * 50}%`;
      bar.append(fill);
      const value = document.createElement("span");
      value.className = "score";
      value.textContent = score.toFixed(3);
      li.append(label, bar, value);
      return li;
    }),
  );
}

function showPreview(raw: RawImage): void {
  const canvas = $<HTMLCanvasElement>("preview");
  canvas.width = raw.width;
  canvas.height = raw.height;
  const rgba = new Uint8ClampedArray(raw.width * raw.height * 4);
  for (let i = 0, j = 0; i < raw.data.length; i += 3, j += 4) {
    rgba[j] = raw.data[i]!;
    rgba[j + 1] = raw.data[i + 1]!;
    rgba[j + 2] = raw.data[i + 2]!;
    rgba[j + 3] = 255;
  }
  canvas.getContext("2d")!.putImageData(new ImageData(rgba, raw.width, raw.height), 0, 0);
}

function useCheckpoint(bytes: Uint8Array, name: string): void {
  state.checkpoint = { bytes, name };
  serially(async () => {
    await buildModel();
    await predict();
  });
}

function usePhoto(source: ImageBitmapSource, name: string): void {
  status.textContent = "decoding photo";
  serially(async () => {
    const raw = await decodeImage(source);
    state.image = { raw, name };
    showPreview(raw);
    await predict();
  });
}

function onFiles(input: HTMLInputElement, use: (file: File) => void): void {
  input.addEventListener("change", () => {
    const file = input.files?.[0];
    if (file) use(file);
  });
}

function dropZone(zone: HTMLElement, use: (file: File) => void): void {
  zone.addEventListener("dragover", (e) => {
    e.preventDefault();
    zone.classList.add("over");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("over");
    const file = e.dataTransfer?.files[0];
    if (file) use(file);
  });
}

const loadWeightsFile = async (file: File) =>
  useCheckpoint(new Uint8Array(await file.arrayBuffer()), file.name);
onFiles($<HTMLInputElement>("weights-input"), (f) => void loadWeightsFile(f));
dropZone($("weights-drop"), (f) => void loadWeightsFile(f));
onFiles($<HTMLInputElement>("image-input"), (f) => usePhoto(f, f.name));
dropZone($("image-drop"), (f) => usePhoto(f, f.name));
backendSelect.addEventListener("change", () => {
  status.textContent = "starting backend";
  serially(async () => {
    await switchBackend();
    await predict();
  });
});

const video = $<HTMLVideoElement>("camera");
$("camera-start").addEventListener("click", async () => {
  try {
    video.srcObject = await navigator.mediaDevices.getUserMedia({ video: true });
    video.hidden = false;
    $("camera-capture").hidden = false;
    await video.play();
  } catch (error) {
    status.textContent = `error: no webcam (${(error as Error).message})`;
  }
});
$("camera-capture").addEventListener("click", () => usePhoto(video, "webcam"));

// Training.
const trainInput = $<HTMLInputElement>("train-data-input");
const stopButton = $<HTMLButtonElement>("train-stop");
let controller: AbortController | undefined;
trainInput.addEventListener("change", () => {
  trainStatus.textContent = `${trainInput.files?.length ?? 0} files picked: press Start`;
});
stopButton.addEventListener("click", () => controller?.abort());
$("train-start").addEventListener("click", () => {
  if (state.training) return;
  state.training = true;
  trainStatus.textContent = "reading the files";
  serially(async () => {
    try {
      await runTraining();
    } catch (error) {
      trainStatus.textContent = `error: ${(error as Error).message}`;
      console.error(error);
    } finally {
      state.training = false;
      stopButton.disabled = true;
    }
  });
});

async function runTraining(): Promise<void> {
  const data = await readPickedCelebA([...(trainInput.files ?? [])]);
  const size = /^(\d+)x(\d+)$/.exec($<HTMLInputElement>("train-size").value.trim());
  if (!size) throw new Error('image size must look like "178x218" (width x height)');
  const num = (id: string) => Number($<HTMLInputElement>(id).value);
  const history: EpochRecord[] = [];
  const chart = document.getElementById("train-chart") as unknown as SVGSVGElement;
  drawAccuracyChart(chart, history);
  controller = new AbortController();
  stopButton.disabled = false;
  const epochs = num("train-epochs");
  // Tensors held before and after (a model is loaded in both when one was loaded before), for the
  // browser test's leak check on the backend that trained.
  const tensorsBefore = tf.memory().numTensors;
  trainStatus.textContent = `training on ${data.rows.length} images (${tf.getBackend()})`;
  const { model, result, checkpoint } = await fineTune({
    ...(state.loaded
      ? {
          model: state.loaded.model,
          modelNames: state.loaded.names,
          normalization: state.loaded.meta.normalization,
        }
      : {}),
    data,
    imageSize: { width: Number(size[1]), height: Number(size[2]) },
    epochs,
    batchSize: num("train-batch"),
    lr: num("train-lr"),
    freeze: num("train-freeze"),
    seed: 0,
    signal: controller.signal,
    onStep: (e) => {
      trainStatus.textContent = `epoch ${e.epoch}/${epochs}, step ${e.step + 1}: loss ${e.loss.toFixed(4)}, ${e.imagesPerSecond.toFixed(1)} images/s`;
    },
    onEpoch: (record) => {
      history.push(record);
      trainStatus.dataset.history = JSON.stringify(history);
      drawAccuracyChart(chart, history);
    },
  });
  if (result.status !== "completed") {
    trainStatus.textContent = "stopped";
    if (!state.loaded) model.dispose();
    return;
  }
  const old = document.querySelector<HTMLAnchorElement>("[data-testid=train-download]");
  if (old) URL.revokeObjectURL(old.href);
  const link = document.createElement("a");
  link.dataset.testid = "train-download";
  link.download = "celeba-finetuned.safetensors";
  link.textContent = `Download the checkpoint (best epoch ${result.bestEpoch})`;
  link.href = URL.createObjectURL(new Blob([checkpoint as Uint8Array<ArrayBuffer>]));
  $("train-download-slot").replaceChildren(link);
  // The page now predicts with the fine-tuned weights, rebuilt from the downloadable file.
  if (!state.loaded) model.dispose();
  state.checkpoint = { bytes: checkpoint, name: "celeba-finetuned.safetensors" };
  await buildModel();
  await predict();
  const test = result.test ? `, test accuracy ${(result.test.accuracy * 100).toFixed(2)}%` : "";
  $("train-status").dataset.bestEpoch = String(result.bestEpoch ?? "");
  trainStatus.dataset.tensorsBefore = String(tensorsBefore);
  trainStatus.dataset.tensorsAfter = String(tf.memory().numTensors);
  trainStatus.textContent = "done";
  trainStatus.title = `best epoch ${result.bestEpoch}${test}`;
}

// Start: the chosen backend, then the demo checkpoint when the server offers one (`pnpm web` with runs/demo).
serially(async () => {
  await switchBackend();
  status.textContent = "load a checkpoint";
  const response = await fetch("./demo-checkpoint.safetensors").catch(() => undefined);
  if (response?.ok && response.headers.get("content-type") === "application/octet-stream") {
    useCheckpoint(new Uint8Array(await response.arrayBuffer()), "runs/demo best checkpoint");
  }
});
