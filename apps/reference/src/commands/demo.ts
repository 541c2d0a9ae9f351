import { resolve } from "node:path";
import type { CommandContext } from "../command-context";
import { runConfigFromFlags } from "../run-config-flags";
import { DEMO_DEFAULTS, DEMO_TRAINING, type DemoOutcome, runDemo } from "../run-demo";

/**
 * `reference demo [--out runs/demo]`: makes a synthetic CelebA, trains `resnext_tiny` with the
 * paper's procedure for a few epochs, validates every checkpoint, tests the best, predicts a
 * held-out "private" folder and writes the report. The flags over {@link runDemo}'s config.
 */
export async function demoCommand(ctx: CommandContext): Promise<DemoOutcome> {
  const out = resolve(ctx.string("out") ?? DEMO_DEFAULTS.out);
  // The demo's flags over its defaults, checked as train's are; the data folder is the demo's own.
  const { data: _, ...training } = runConfigFromFlags(ctx, resolve(out, "data"), DEMO_TRAINING);
  return runDemo(
    {
      out,
      count: ctx.int("count", DEMO_DEFAULTS.count),
      privateCount: DEMO_DEFAULTS.privateCount,
      force: ctx.bool("force"),
      training,
    },
    { log: ctx.log, quiet: ctx.bool("quiet") },
  );
}
