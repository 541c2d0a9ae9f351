// vitest global setup: builds dist/augment-worker.js from the sources with the package's own
// tsup config, so worker tests run the script the package ships, in its only code path.
import { build } from "tsup";
import { augmentWorkerBuild } from "../tsup.config";

export default async function setup(): Promise<void> {
  await build({ ...augmentWorkerBuild, config: false, silent: true });
}
