/**
 * Shows a value as an error message quotes it: strings quoted (so `"1"` and `1` differ),
 * `-0` kept, arrays element by element, typed arrays by type and length (not their contents),
 * objects as JSON; anything longer than `maxLength` is cut with `…`. Never throws, whatever
 * the value (circular objects, getters that throw, symbols).
 *
 * @param value - What the caller passed.
 * @param maxLength - Roughly the most characters shown. Default 80.
 * @returns One line of text.
 * @example
 * formatValue("7");                // "\"7\""
 * formatValue(-0);                 // "-0"
 * formatValue(new Uint8Array(5));  // "Uint8Array(length 5)"
 * formatValue({ width: 0 });       // "{\"width\":0}"
 */
export function formatValue(value: unknown, maxLength = 80): string {
  const cut = (text: string) =>
    text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
  try {
    switch (typeof value) {
      case "string":
        return value.length > maxLength
          ? `${JSON.stringify(value.slice(0, maxLength))}… (${value.length} characters)`
          : JSON.stringify(value);
      case "number":
        return Object.is(value, -0) ? "-0" : String(value);
      case "bigint":
        return `${value}n`;
      case "function":
        return `function ${value.name || "(anonymous)"}`;
      case "symbol":
      case "boolean":
      case "undefined":
        return String(value);
    }
    if (value === null) return "null";
    if (ArrayBuffer.isView(value)) {
      const length = (value as unknown as { length?: number }).length ?? value.byteLength;
      return `${value.constructor.name}(length ${length})`;
    }
    if (value instanceof ArrayBuffer) return `ArrayBuffer(${value.byteLength} bytes)`;
    if (Array.isArray(value)) {
      const parts: string[] = [];
      let length = 2;
      for (const item of value) {
        const part = formatValue(item, maxLength);
        length += part.length + 2;
        if (length > maxLength) {
          parts.push(`… (${value.length} items)`);
          break;
        }
        parts.push(part);
      }
      return `[${parts.join(", ")}]`;
    }
    if (value instanceof Map || value instanceof Set) {
      return `${value.constructor.name}(size ${value.size})`;
    }
    const json = JSON.stringify(value);
    const prototype = Object.getPrototypeOf(value);
    const plain = prototype === Object.prototype || prototype === null;
    const name = plain ? "" : `${(value as object).constructor?.name ?? "object"} `;
    return cut(`${name}${json ?? String(value)}`);
  } catch {
    try {
      return cut(String(value));
    } catch {
      return "(a value that cannot be shown)";
    }
  }
}
