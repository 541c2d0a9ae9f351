import { packageTestConfig } from "../../vitest.shared.ts";

export default packageTestConfig({ globalSetup: ["test/build-worker.ts"] });
