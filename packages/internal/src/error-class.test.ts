import { describe, expect, it } from "vitest";
import { CelebaError, errorMarker } from "./celeba-error";
import { errorClass } from "./error-class";

class PkgError extends CelebaError {
  static override readonly marker = errorMarker("test", "PkgError");
}
class LineError extends errorClass(
  PkgError,
  ["file", "line"],
  (init: { file: string; line: number; problem: string; cause?: unknown }) =>
    `${init.file}:${init.line}: ${init.problem}`,
) {
  static override readonly marker = errorMarker("test", "LineError");
}

describe("errorClass", () => {
  it("words the message from the init, keeps the named fields only, and passes the cause on", () => {
    const cause = new Error("inner");
    const e = new LineError({ file: "a.txt", line: 3, problem: "bad", cause });
    expect(e.message).toBe("a.txt:3: bad");
    expect(e.name).toBe("LineError");
    expect([e.file, e.line]).toEqual(["a.txt", 3]);
    expect("problem" in e).toBe(false);
    expect(e.cause).toBe(cause);
    expect(new LineError({ file: "a", line: 1, problem: "p" }).cause).toBeUndefined();
  });

  it("is recognised by its own marker and its bases', not by its siblings'", () => {
    class OtherError extends PkgError {
      static override readonly marker = errorMarker("test", "OtherError");
    }
    const e = new LineError({ file: "a", line: 1, problem: "p" });
    expect(e).toBeInstanceOf(PkgError);
    expect(LineError.isInstance(e)).toBe(true);
    expect(PkgError.isInstance(e)).toBe(true);
    expect(CelebaError.isInstance(e)).toBe(true);
    expect(OtherError.isInstance(e)).toBe(false);
    expect(LineError.isInstance(new PkgError({ message: "m" }))).toBe(false);
  });
});
