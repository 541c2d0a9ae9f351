import { packageTestConfig } from "../../vitest.shared.ts";

export default packageTestConfig({ testTimeout: 900_000 });
