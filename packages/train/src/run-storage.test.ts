import { describe, expect, it } from "vitest";
import { memoryRunStorage, runPath } from "./run-storage";

describe("memoryRunStorage", () => {
  it("stores text and bytes by path, copies written bytes, and removes files", async () => {
    const storage = memoryRunStorage();
    const bytes = new Uint8Array([1, 2, 3]);
    await storage.write("run/a.bin", bytes);
    bytes[0] = 9;
    await storage.write("run/b.json", '{"x":1}');
    expect([...(await storage.readBytes("run/a.bin"))]).toEqual([1, 2, 3]);
    expect(await storage.readText("run/b.json")).toBe('{"x":1}');
    expect(await storage.readText("run/missing")).toBeUndefined();
    await expect(storage.readBytes("run/missing")).rejects.toThrow("run/missing");
    await storage.remove("run/a.bin");
    expect([...storage.files.keys()]).toEqual(["run/b.json"]);
  });

  it("joins run paths without doubled separators", () => {
    expect(runPath("runs/x/", "latest.json")).toBe("runs/x/latest.json");
    expect(runPath("run", "checkpoints/epoch-01")).toBe("run/checkpoints/epoch-01");
  });
});
