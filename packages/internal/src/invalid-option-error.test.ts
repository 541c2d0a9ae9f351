import { describe, expect, it } from "vitest";
import { CelebaError, errorMarker } from "./celeba-error";
import { invalidOptionErrorClass, invalidOptionMessage } from "./invalid-option-error";

class PkgError extends CelebaError {
  static override readonly marker = errorMarker("test", "PkgError");
}
class InvalidOptionError extends invalidOptionErrorClass(
  PkgError,
  (init) => `${init.option} is bad: ${init.hint}`,
) {
  static override readonly marker = errorMarker("test", "InvalidOptionError");
}

describe("invalidOptionMessage", () => {
  it("names the option, shows the value and the fix, and lists the choices", () => {
    const init = {
      option: "loss",
      value: "hinge",
      hint: "Pick a loss.",
      validChoices: ["mse", "l1"],
    };
    expect(invalidOptionMessage(init)).toBe(
      'Invalid loss: "hinge". Pick a loss. Valid choices: mse, l1.',
    );
    expect(invalidOptionMessage(init, { quoteChoices: true })).toBe(
      'Invalid loss: "hinge". Pick a loss. Valid choices: "mse", "l1".',
    );
    // The fields, copied onto the error as the packages' classes do.
    const e = new InvalidOptionError(init);
    expect({
      option: e.option,
      value: e.value,
      hint: e.hint,
      validChoices: e.validChoices,
    }).toEqual(init);
  });
});

describe("invalidOptionErrorClass", () => {
  it("makes a subclass of the package's base with the option fields and the package's wording", () => {
    const e = new InvalidOptionError({ option: "size", value: 0, hint: "use 1 or more" });
    expect(e.message).toBe("size is bad: use 1 or more");
    expect(e.name).toBe("InvalidOptionError");
    expect([e.option, e.value, e.validChoices, e.hint]).toEqual([
      "size",
      0,
      undefined,
      "use 1 or more",
    ]);
    expect(e).toBeInstanceOf(PkgError);
    expect(InvalidOptionError.isInstance(e)).toBe(true);
    expect(PkgError.isInstance(e)).toBe(true);
    expect(CelebaError.isInstance(e)).toBe(true);
    expect(InvalidOptionError.isInstance(new PkgError({ message: "m" }))).toBe(false);
  });
});
