import { ResnextError } from "../errors";
import {
  ATTRIBUTE_TYPE,
  type AttributeProtoInit,
  type DimensionInit,
  type NodeProtoInit,
  ONNX_FLOAT,
  type TensorProtoInit,
  type ValueInfoProtoInit,
} from "./onnx-schema";

/** An attribute value: an integer, a float, a string or a list of integers. */
export type AttributeValue = number | string | readonly number[] | { float: number };

/**
 * Collects the nodes and initializers of one ONNX graph in topological order, so the exporter
 * reads as the forward pass it writes. Names are checked to be unique as they are added.
 */
export class OnnxGraphBuilder {
  readonly nodes: NodeProtoInit[] = [];
  readonly initializers: TensorProtoInit[] = [];
  private readonly names = new Set<string>();

  /** Adds a float32 initializer and returns its name. */
  initializer(name: string, dims: readonly number[], values: Float32Array): string {
    this.claim(name);
    // ONNX raw_data is little-endian, as every platform JavaScript runs on.
    const rawData = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    this.initializers.push({ name, dims: [...dims], dataType: ONNX_FLOAT, rawData });
    return name;
  }

  /** Adds a node whose single output is named `name`, and returns that name. */
  node(
    opType: string,
    name: string,
    inputs: readonly string[],
    attributes: Record<string, AttributeValue> = {},
  ): string {
    this.claim(name);
    this.nodes.push({
      name,
      opType,
      input: [...inputs],
      output: [name],
      attribute: Object.entries(attributes).map(([key, value]) => attribute(key, value)),
    });
    return name;
  }

  /** Renames a node's output (e.g. the last one to the graph's output name), where it is used too. */
  rename(from: string, to: string): void {
    this.claim(to);
    for (const n of this.nodes) {
      n.output = n.output.map((o) => (o === from ? to : o));
      n.input = n.input.map((i) => (i === from ? to : i));
    }
  }

  private claim(name: string): void {
    // An exporter bug, never bad input: every name comes from the model's own keys.
    if (this.names.has(name))
      throw new ResnextError({ message: `duplicate ONNX value name "${name}"` });
    this.names.add(name);
  }
}

function attribute(name: string, value: AttributeValue): AttributeProtoInit {
  if (typeof value === "number") return { name, type: ATTRIBUTE_TYPE.INT, i: value };
  if (typeof value === "string") {
    return { name, type: ATTRIBUTE_TYPE.STRING, s: new TextEncoder().encode(value) };
  }
  if ("float" in value) return { name, type: ATTRIBUTE_TYPE.FLOAT, f: value.float };
  return { name, type: ATTRIBUTE_TYPE.INTS, ints: [...value] };
}

/** A float tensor's `ValueInfoProto`; a string dimension is symbolic (e.g. `"batch"`). */
export function floatValueInfo(
  name: string,
  dims: readonly (number | string)[],
): ValueInfoProtoInit {
  const dim: DimensionInit[] = dims.map((d) =>
    typeof d === "number" ? { dimValue: d } : { dimParam: d },
  );
  return { name, type: { tensorType: { elemType: ONNX_FLOAT, shape: { dim } } } };
}
