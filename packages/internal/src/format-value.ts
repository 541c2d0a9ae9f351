/**
 * Shows a value as an error message quotes it: strings quoted (so `"1"` and `1` differ),
 * `-0` kept, arrays element by element, typed arrays by type and length (not their contents),
 * objects as JSON; anything longer than `maxLength` is cut with `…`. Never throws, whatever
 * the value (circular objects, getters that throw, symbols).
 *
 * @param value - What the caller passed.
 * @param options - `maxLength`: roughly the most characters shown (default 80); `typed`: follow
 *   anything but a number or string with its type, as in `true (boolean)`, for messages about
 *   data that must be numeric.
 * @returns One line of text.
 * @example
 * formatValue("7");                // "\"7\""
 * formatValue(-0);                 // "-0"
 * formatValue(new Uint8Array(5));  // "Uint8Array(length 5)"
 * formatValue({ width: 0 });       // "{\"width\":0}"
 * formatValue(true, { typed: true }); // "true (boolean)"
 */
export function formatValue(
  value: unknown,
  options: { maxLength?: number; typed?: boolean } = {},
): string {
  const shown = show(value, options.maxLength ?? 80);
  if (!options.typed || typeof value === "number" || typeof value === "string") return shown;
  return `${shown} (${value === null ? "null" : typeof value})`;
}

function show(value: unknown, maxLength: number): string {
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
        const part = show(item, maxLength);
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
