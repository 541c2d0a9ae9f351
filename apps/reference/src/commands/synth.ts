import { resolve } from "node:path";
import { makeSyntheticCelebA } from "@celeba/data";
import type { CommandContext } from "../command-context";
import { CliError } from "../errors";
import { prepareRunFolder } from "../run-folder";

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
  await prepareRunFolder(dir, {
    force: ctx.bool("force"),
    flagHint: "Pick another --out, or pass --force to replace it.",
  });
  const synth = await makeSyntheticCelebA(dir, {
    count,
    seed,
    format: ctx.bool("zip") ? "zip" : "folder",
  });
  ctx.log(
    `synth: wrote ${synth.ids.length} images with ${synth.attributeNames.length} attributes to ${synth.root}`,
  );
}
