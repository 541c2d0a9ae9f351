import { resolve } from "node:path";
import { makeSyntheticCelebA } from "@celeba/data";
import type { CommandContext } from "../command-context";
import { CliError } from "../errors";
import { openOutputFolder } from "../output-folder";
import { writeRunMarker } from "../run-marker";

/** `reference synth --out DIR [--count N] [--seed S] [--zip]`: a synthetic CelebA in the real layout. */
export async function synthCommand(ctx: CommandContext): Promise<void> {
  const out = ctx.requireString("out", "the folder to write the synthetic CelebA into");
  const count = ctx.int("count", 2000);
  const seed = ctx.int("seed", 0, { allowZero: true });
  if (count < 10)
    throw new CliError(
      `--count ${count} is too small: give at least 10 images so every split has some.`,
    );
  const dir = resolve(out);
  const folder = openOutputFolder({
    dir,
    command: "synth",
    kind: "synth",
    force: ctx.bool("force"),
    protect: [],
  });
  let synth: Awaited<ReturnType<typeof makeSyntheticCelebA>>;
  try {
    await writeRunMarker(dir, "synth");
    synth = await makeSyntheticCelebA(dir, {
      count,
      seed,
      format: ctx.bool("zip") ? "zip" : "folder",
    });
  } catch (error) {
    folder.rollback();
    throw error;
  }
  folder.release();
  ctx.log(
    `synth: wrote ${synth.ids.length} images with ${synth.attributeNames.length} attributes to ${synth.root}`,
  );
}
