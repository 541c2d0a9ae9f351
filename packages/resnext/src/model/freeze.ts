import { InvalidOptionError } from "../model-errors";
import type { Entry } from "./torch-layout";

/**
 * torchvision's top-level children of a ResNet, in order; `freeze(n)` freezes the first `n`
 * (the paper freezes 6: conv1, bn1, relu, maxpool, layer1, layer2).
 *
 * @example
 * const model = resnext50_32x4d({ numClasses: 40 });
 * model.freeze(6); // RESNET_CHILDREN.slice(0, 6)
 * console.log(RESNET_CHILDREN[6]); // "layer3": the first trainable child
 */
export const RESNET_CHILDREN = [
  "conv1",
  "bn1",
  "relu",
  "maxpool",
  "layer1",
  "layer2",
  "layer3",
  "layer4",
  "avgpool",
  "fc",
] as const;

/** What to freeze: the first `n` of {@link RESNET_CHILDREN}, or parameters by name prefix. */
export type FreezeSpec = number | { prefixes: readonly string[] };

function matchesPrefix(key: string, prefix: string): boolean {
  return key === prefix || key.startsWith(`${prefix}.`);
}

/** The name prefixes `spec` freezes, validated against the model's keys. */
function freezePrefixes(spec: FreezeSpec, keys: readonly string[]): readonly string[] {
  if (typeof spec === "number") {
    if (!Number.isInteger(spec) || spec < 0 || spec > RESNET_CHILDREN.length) {
      throw new InvalidOptionError({
        option: "freeze",
        value: spec,
        hint:
          `Pass an integer from 0 to ${RESNET_CHILDREN.length} (the number of leading children ` +
          `of ${RESNET_CHILDREN.join(", ")} to freeze; the paper uses 6), or { prefixes }.`,
      });
    }
    return RESNET_CHILDREN.slice(0, spec);
  }
  for (const p of spec.prefixes) {
    const known = (RESNET_CHILDREN as readonly string[]).includes(p);
    const matches = keys.some((k) => matchesPrefix(k, p));
    if (typeof p !== "string" || (!known && !matches)) {
      throw new InvalidOptionError({
        option: "freeze.prefixes",
        value: p,
        hint:
          "A prefix must be a child name or a dotted parameter-name prefix such as " +
          "'layer3' or 'layer4.0.bn1' (see namedParameters()).",
        validChoices: RESNET_CHILDREN,
      });
    }
  }
  return spec.prefixes;
}

/**
 * Makes the parameters that `spec` names untrainable (buffers are never trainable).
 * Internal; see `ResNetModel.freeze`.
 *
 * @returns The frozen keys, in state_dict order.
 */
export function freezeEntries(entries: readonly Entry[], spec: FreezeSpec): string[] {
  const prefixes = freezePrefixes(
    spec,
    entries.map((e) => e.key),
  );
  const frozen: string[] = [];
  for (const e of entries) {
    if (e.isBuffer) continue;
    if (prefixes.some((p) => matchesPrefix(e.key, p))) {
      e.variable.trainable = false;
      frozen.push(e.key);
    }
  }
  return frozen;
}
