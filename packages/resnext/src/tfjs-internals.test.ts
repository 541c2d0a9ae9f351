import { readFileSync } from "node:fs";
import { join } from "node:path";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { ResnextError } from "./errors";
import {
  assertSupportedTfjsCore,
  isComputingGradients,
  registeredVariable,
  registeredVariables,
  SUPPORTED_TFJS_CORE,
} from "./tfjs-internals";

describe("tfjs-internals", () => {
  it("supports exactly the peer range of package.json", () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, "..", "package.json"), "utf8"));
    expect(SUPPORTED_TFJS_CORE).toBe(pkg.peerDependencies["@tensorflow/tfjs-core"]);
    expect(() => assertSupportedTfjsCore(tf.version_core)).not.toThrow();
    expect(() => assertSupportedTfjsCore("4.22.7")).not.toThrow();
  });

  it("refuses other tfjs-core versions, naming the supported range", () => {
    for (const v of ["4.21.0", "4.23.0", "5.0.0", "3.22.0"]) {
      expect(() => assertSupportedTfjsCore(v)).toThrow(ResnextError);
      expect(() => assertSupportedTfjsCore(v)).toThrow(`~4.22.0 (4.22.x) only, but version ${v}`);
    }
  });

  it("sees gradient functions and registered variables", () => {
    expect(isComputingGradients()).toBe(false);
    let inside = false;
    const g = tf.grad((x: tf.Tensor) => {
      inside = isComputingGradients();
      return tf.sum(x);
    })(tf.ones([2]));
    expect(inside).toBe(true);
    const v = tf.variable(tf.zeros([1]));
    expect(registeredVariable(v.name)).toBe(v);
    expect(registeredVariables()).toContain(v);
    expect(registeredVariable("no such variable")).toBeUndefined();
    tf.dispose([g, v]);
  });
});
