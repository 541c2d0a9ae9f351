import { describe, expect, it } from "vitest";
import { CelebaError, errorMarker } from "./celeba-error";
import { thrownBy } from "./testing";

class PkgError extends CelebaError {
  static override readonly marker = errorMarker("test", "PkgError");
}

describe("thrownBy", () => {
  it("returns the error of the class, rethrows others, and fails when nothing is thrown", () => {
    const e = new PkgError({ message: "m" });
    expect(
      thrownBy(PkgError, () => {
        throw e;
      }),
    ).toBe(e);
    const other = new Error("other");
    expect(() =>
      thrownBy(PkgError, () => {
        throw other;
      }),
    ).toThrow(other);
    expect(() => thrownBy(PkgError, () => 1)).toThrow("expected PkgError to be thrown");
  });
});
