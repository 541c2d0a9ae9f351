import { createHash } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join, relative } from "node:path";
import { writeSafetensors } from "@celeba/resnext";
import { readSafetensors } from "@celeba/resnext/weights";
import { beforeAll, describe, expect, it } from "vitest";
import {
  expectOneLineError,
  predictArgs,
  type CliResult as Result,
  runCli as run,
  scratchDir,
  startCli as start,
} from "./cli-harness";

// Issue 15's failures, each driven through the built CLI as a user would hit it. Every test
// states what must survive or what the user must be told; the CLI's own uninterrupted run is the
// reference for the resumed one (bit-identical weights).
const work = scratchDir("reliability");

async function waitFor(path: string, done: Promise<Result>): Promise<boolean> {
  let exited = false;
  void done.then(() => {
    exited = true;
  });
  while (!existsSync(path)) {
    if (exited) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
  return true;
}

/** Every file under `dir` with its SHA-256, to show a folder came through untouched. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = createHash("sha256").update(readFileSync(p)).digest("hex");
    }
  };
  walk(dir);
  return out;
}

/** One line on stderr, no stack trace, a refusal's exit code. */
function expectRefusal(r: Result, pattern: RegExp): void {
  expectOneLineError(r, pattern, { code: 2 });
}

const data = join(work, "data");
const images = join(data, "img_align_celeba");
const FLAGS = [
  ...["--arch", "resnext_tiny", "--epochs", "2", "--batch-size", "8"],
  ...["--image-size", "32x40", "--backend", "cpu", "--quiet"],
];
const train = (out: string, ...extra: string[]) => [
  "train",
  ...["--data", data, "--out", out, ...FLAGS, "--seed", "5"],
  ...extra,
];
const reference = join(work, "reference-run");
const checkpoint = (runDir: string, epoch: number) =>
  join(runDir, "checkpoints", `epoch-${String(epoch).padStart(2, "0")}.safetensors`);

beforeAll(() => {
  const synth = run(["synth", "--out", data, "--count", "60", "--seed", "4"]);
  expect(synth.stderr).toBe("");
  const ref = run(train(reference));
  expect(ref.stderr).toBe("");
  expect(ref.code).toBe(0);
});

describe("--force deletes only what is ours (failure 1)", () => {
  it("leaves the dataset whole when --out is --data, with --force", () => {
    const before = snapshot(data);
    expectRefusal(
      run(train(data, "--force")),
      /--out .*data is --data .*: .*Pick an --out outside it/,
    );
    expect(snapshot(data)).toEqual(before);
  });

  it("refuses an --out that contains --data or --weights, whatever the flags", () => {
    expectRefusal(run(train(work, "--force")), /--out .* contains --data /);
    const weightsDir = join(work, "with-weights");
    mkdirSync(weightsDir);
    cpSync(checkpoint(reference, 1), join(weightsDir, "w.safetensors"));
    expectRefusal(
      run(train(weightsDir, "--force", "--weights", join(weightsDir, "w.safetensors"))),
      /contains --weights /,
    );
    expect(existsSync(join(weightsDir, "w.safetensors"))).toBe(true);
  });

  it("deletes nothing in a folder that holds anything but our run, and offers no --force", () => {
    const thesis = join(work, "thesis");
    mkdirSync(join(thesis, "chapters"), { recursive: true });
    writeFileSync(join(thesis, "chapters", "1.tex"), "years of work");
    writeFileSync(join(thesis, "notes.txt"), "more");
    const before = snapshot(thesis);
    for (const args of [
      train(thesis, "--force"),
      train(thesis),
      ["synth", "--out", thesis, "--force", "--count", "20"],
      ["demo", "--out", thesis, "--force"],
    ]) {
      const r = run(args);
      expectRefusal(r, /is not empty and was not made by "reference \w+", so it is never replaced/);
      expect(r.stderr).not.toContain("--force");
    }
    expect(snapshot(thesis)).toEqual(before);
  });
});

describe("one writer per run folder (failure 2)", () => {
  it("two concurrent trains on one --out: one refuses, one consistent run remains", async () => {
    const out = join(work, "race");
    const a = start(["train", "--data", data, "--out", out, ...FLAGS, "--seed", "11"]);
    const b = start(["train", "--data", data, "--out", out, ...FLAGS, "--seed", "12"]);
    const results = await Promise.all([a.done, b.done]);
    const codes = results.map((r) => r.code).sort();
    expect(codes, results.map((r) => r.stderr).join("\n")).toEqual([0, 2]);
    const loser = results.find((r) => r.code === 2)!;
    expect(loser.stderr).toMatch(
      /in use by process \d+ on .*"reference train"|already holds a training run/,
    );
    const winnerSeed = results[0]!.code === 0 ? 11 : 12;
    // run.json (with the app's settings) and the checkpoints all belong to the winner.
    expect(JSON.parse(readFileSync(join(out, "run.json"), "utf8")).settings.seed).toBe(winnerSeed);
    expect(JSON.parse(readFileSync(join(out, "run.json"), "utf8")).seed).toBe(winnerSeed);
    expect(existsSync(join(out, "summary.json"))).toBe(true);
    expect(existsSync(join(out, ".celeba-lock"))).toBe(false);
    // evaluate re-splits with run.json's seed and must agree with training's choice.
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    const evaluated = run(["evaluate", "--run", out]);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    const after = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    expect(after.bestEpoch).toBe(summary.bestEpoch);
    expect(after.testAccuracy).toBeCloseTo(summary.testAccuracy, 6);
  });

  it("--force, --resume and evaluate refuse at once while another process writes the run, naming it", async () => {
    const out = join(work, "busy");
    const long = start(["train", "--data", data, "--out", out, ...FLAGS, "--epochs", "200"]);
    const ready = await waitFor(join(out, "checkpoints", "epoch-00.state.json"), long.done);
    expect(ready, "training ended before its first checkpoint").toBe(true);
    const holder = new RegExp(`in use by process ${long.child.pid} on .*"reference train"`);
    expectRefusal(run(train(out, "--force")), holder);
    expectRefusal(run(["train", "--resume", out]), holder);
    expectRefusal(run(["evaluate", "--run", out]), holder);
    expect(readdirSync(join(out, "checkpoints")).length).toBeGreaterThan(0);
    // A writer killed outright leaves its lock; the next command sees the pid is gone and takes it.
    long.child.kill("SIGKILL");
    await long.done;
    expect(existsSync(join(out, ".celeba-lock"))).toBe(true);
    const after = run(["evaluate", "--run", out]);
    expect(after.stderr).not.toMatch(/in use/);
    expect(after.stderr).toMatch(/^$|holds no epoch-NN\.safetensors: train first/);
    expect(existsSync(join(out, ".celeba-lock"))).toBe(false);
  });

  it("SIGTERM finishes the step, checkpoints, exits 143; stray .tmp files go; resume matches an uninterrupted run (failures 9, 11)", async () => {
    const out = join(work, "sigterm");
    const first = start(train(out));
    const ready = await waitFor(join(out, "checkpoints", "epoch-00.state.json"), first.done);
    expect(ready, "training ended before its first checkpoint").toBe(true);
    first.child.kill("SIGTERM");
    const stopped = await first.done;
    // 143 = 128 + SIGTERM: the run stopped by the signal, but only after writing a checkpoint.
    expect(stopped.code, stopped.stderr).toBe(143);
    expect(stopped.stdout).toMatch(/SIGTERM: finishing the current step and writing a checkpoint/);
    expect(stopped.stdout).toContain(`resume with "reference train --resume ${out}"`);
    expect(existsSync(join(out, "summary.json"))).toBe(false);

    // A write killed half-way leaves its temporary file; the next opening removes it.
    const stray = [
      join(out, ".latest.json.1234.abcdef01.tmp"),
      join(out, "checkpoints", ".epoch-01.safetensors.1234.0badf00d.tmp"),
    ];
    for (const f of stray) writeFileSync(f, "half a checkpoint");

    const resumed = run(["train", "--resume", out, "--quiet"]);
    expect(resumed.stderr).toBe("");
    expect(resumed.code).toBe(0);
    for (const f of stray) expect(existsSync(f), f).toBe(false);
    const got = await readSafetensors(checkpoint(out, 2));
    const want = await readSafetensors(checkpoint(reference, 2));
    expect([...got.keys()]).toEqual([...want.keys()]);
    for (const [key, tensor] of want) {
      // Tolerance 0: a resumed run replays the same steps on the same data.
      expect(
        Buffer.from(got.get(key)!.data.buffer).equals(Buffer.from(tensor.data.buffer)),
        key,
      ).toBe(true);
    }
  });
});

describe("a run folder is made whole or not at all (failure 8)", () => {
  it("weights that do not fit name the file and leave no folder", () => {
    const out = join(work, "wrong-weights");
    const weights = checkpoint(reference, 1);
    const r = run(train(out, "--arch", "resnet18", "--weights", weights));
    expectRefusal(
      r,
      new RegExp(`--weights ${weights} does not fit --arch resnet18: .*pick it with --arch`),
    );
    expect(r.stderr).not.toMatch(/strict: false/);
    expect(existsSync(out)).toBe(false);
  });

  it("a bad --freeze is refused before the folder is made; an empty folder stays empty", () => {
    const out = join(work, "empty-before");
    mkdirSync(out);
    expectRefusal(run(train(out, "--freeze", "11")), /--freeze 11 is not valid: .*give 0 to 10/);
    expect(readdirSync(out)).toEqual([]);
  });

  it("refuses a latest.json that points outside the run folder", () => {
    const copy = join(work, "escaped");
    cpSync(reference, copy, { recursive: true });
    writeFileSync(
      join(copy, "latest.json"),
      JSON.stringify({
        checkpoint: "../reference-run/checkpoints/epoch-01",
        epoch: 1,
        step: 0,
        complete: true,
      }),
    );
    const r = run(["train", "--resume", copy]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(
      /latest\.json: "checkpoint" is .* not a checkpoint inside the run folder/,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("messages a CLI user can act on (failure 10, 11)", () => {
  it("bad numbers and unknown flags get our own one-line message", () => {
    expectRefusal(
      run(train(join(work, "n1"), "--epochs", "-1")),
      /--epochs "-1" is not valid: give a positive integer/,
    );
    expectRefusal(
      run(train(join(work, "n2"), "--batch-size", "0x10")),
      /--batch-size "0x10" is not valid/,
    );
    const unknown = run(["train", "--dataa", data]);
    expectRefusal(unknown, /unknown option --dataa \(did you mean --data\?\)/);
    expect(unknown.stderr).not.toMatch(/positional/);
    const file = join(work, "a-file");
    writeFileSync(file, "x");
    expectRefusal(run(train(file)), /--out .*a-file is a file, not a folder/);
  });

  it("an unterminated quote in the attribute CSV names the file and line, and quotes one line", () => {
    const csvData = join(work, "csv-data");
    cpSync(data, csvData, { recursive: true });
    const txt = readFileSync(join(csvData, "list_attr_celeba.txt"), "utf8").trim().split("\n");
    const header = ["image_id", ...txt[1]!.trim().split(/\s+/)].join(",");
    const rows = txt.slice(2).map((l) => l.trim().split(/\s+/).join(","));
    rows[4] = rows[4]!.replace(",1,", ',"1,');
    rmSync(join(csvData, "list_attr_celeba.txt"));
    writeFileSync(join(csvData, "list_attr_celeba.csv"), `${[header, ...rows].join("\n")}\n`);
    const r = run(["train", "--data", csvData, "--out", join(work, "csv-run"), ...FLAGS]);
    // A library error (exit 1), reported on one line without a stack trace.
    expectOneLineError(r, /list_attr_celeba\.csv:6: a quote \("\) opens a field but never closes/);
    expect(r.stderr.length).toBeLessThan(900);
    expect(existsSync(join(work, "csv-run"))).toBe(false);
  });

  it("--split random needs no partition file; missing images name --skip-bad-images, which skips them", () => {
    const partial = join(work, "partial-data");
    cpSync(data, partial, { recursive: true });
    rmSync(join(partial, "list_eval_partition.txt"));
    rmSync(join(partial, "img_align_celeba", "000003.jpg"));
    const flags = ["--data", partial, ...FLAGS, "--epochs", "1"];
    const refused = run(["train", "--out", join(work, "partial-1"), ...flags]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(
      /1 image\(s\) listed in list_attr_celeba\.txt are missing .*--skip-bad-images/,
    );
    expect(refused.stderr).not.toMatch(/onMissingImage|partition/);
    const skipped = run(["train", "--out", join(work, "partial-2"), ...flags, "--skip-bad-images"]);
    expect(skipped.code, skipped.stderr).toBe(0);
    expect(skipped.stdout).toMatch(/data: 59 images/);
    const official = run([
      "train",
      "--out",
      join(work, "partial-3"),
      ...flags,
      "--split",
      "official",
    ]);
    expect(official.stderr).toMatch(/Partition file .* not found/);
  });

  it("predict checks --out before any work, refuses to overwrite without --force, and skips bad images on request", async () => {
    const weights = checkpoint(reference, 2);
    const predict = (out: string, ...extra: string[]) =>
      run(predictArgs(weights, images, out, "--backend", "cpu", ...extra));
    const existing = join(work, "existing.csv");
    writeFileSync(existing, "keep me");
    const noOverwrite = predict(existing);
    expectRefusal(noOverwrite, /--out .*existing\.csv already exists: pass --force to replace it/);
    expect(noOverwrite.stdout).toBe(""); // refused before choosing a backend or reading the weights
    expect(readFileSync(existing, "utf8")).toBe("keep me");
    expectRefusal(predict(work), /--out .* is a folder: give a file path/);
    expectRefusal(
      predict(join(work, "no-such-folder", "p.csv")),
      /the folder .*no-such-folder does not exist/,
    );
    expectRefusal(predict(weights, "--force"), /would overwrite an input/);

    const badImages = join(work, "bad-images");
    cpSync(images, badImages, { recursive: true });
    writeFileSync(
      join(badImages, "000002.jpg"),
      readFileSync(join(images, "000002.jpg")).subarray(0, 300),
    );
    const args = ["predict", "--weights", weights, "--images", badImages, "--backend", "cpu"];
    const failed = run([...args, "--out", join(work, "bad.csv")]);
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toMatch(/000002\.jpg.*--skip-bad-images/);
    expect(failed.stderr).not.toMatch(/onBadImage/);
    const ok = run([...args, "--out", existing, "--force", "--skip-bad-images"]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/wrote 59 rows .*skipped 1 unreadable image/);
    expect(readFileSync(existing, "utf8").trim().split("\n")).toHaveLength(60);
  });

  it("weights problems name the file and the key, not a flag the user never passed", async () => {
    const sd = await readSafetensors(checkpoint(reference, 2));
    const odd = join(work, "odd-arch.safetensors");
    await writeSafetensors(odd, sd, { architecture: "vgg16" });
    const out = join(work, "odd.csv");
    const r = run(predictArgs(odd, images, out, "--backend", "cpu"));
    expectRefusal(
      r,
      /odd-arch\.safetensors: metadata "architecture" is "vgg16", not one of .*Pass --arch/,
    );
    expect(r.stderr).not.toMatch(/--arch "vgg16"/);

    // A file cut short is diagnosed as safetensors, not as an unknown format.
    const cut = join(work, "cut.safetensors");
    writeFileSync(cut, readFileSync(checkpoint(reference, 2)).subarray(0, 64));
    const truncated = run(predictArgs(cut, images, out, "--backend", "cpu"));
    expect(truncated.code).not.toBe(0);
    expect(truncated.stderr).toMatch(
      /cut\.safetensors.*safetensors: header length \d+ exceeds the file/,
    );
    expect(truncated.stderr).not.toMatch(/unsupported format|not a PyTorch zip/i);

    // Overlapping offsets alias two tensors' bytes: refused as the format's reference reader does.
    const bytes = readFileSync(checkpoint(reference, 2));
    const n = Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.subarray(8, 8 + n).toString("utf8"));
    const [first, second] = Object.keys(header).filter(
      (k) => k !== "__metadata__" && header[k].shape.length === 1,
    );
    header[second!].data_offsets = header[first!].data_offsets;
    header[second!].shape = header[first!].shape;
    header[second!].dtype = header[first!].dtype;
    const json = Buffer.from(JSON.stringify(header));
    const aliased = Buffer.concat([Buffer.alloc(8), json, bytes.subarray(8 + n)]);
    aliased.writeBigUInt64LE(BigInt(json.length), 0);
    const overlap = join(work, "overlap.safetensors");
    writeFileSync(overlap, aliased);
    const o = run(predictArgs(overlap, images, out, "--backend", "cpu"));
    expect(o.code).not.toBe(0);
    expect(o.stderr).toMatch(/overlap\.safetensors.*(overlap|belong to no tensor)/);
  });
});
