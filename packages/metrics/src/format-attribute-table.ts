import type { AttributeMetrics, AttributeReport } from "./attribute-report";
import { InvalidOptionError } from "./errors";

/** Options of {@link formatAttributeTable}. */
export interface FormatAttributeTableOptions {
  /**
   * Published per-attribute accuracy to compare against, keyed by attribute name, as
   * fractions in [0, 1] like the report (divide percentages by 100). Adds a
   * "Published" column; attributes without an entry show "—". Default: no column.
   */
  published?: Record<string, number>;
  /** Decimal places of the percentages, an integer 0-10. Default `2`. */
  digits?: number;
}

const COLUMNS: readonly [string, (a: AttributeMetrics) => number][] = [
  ["Accuracy", (a) => a.accuracy],
  ["Baseline", (a) => a.baseline],
  ["Precision", (a) => a.precision],
  ["Recall", (a) => a.recall],
  ["F1", (a) => a.f1],
  ["Balanced acc.", (a) => a.balancedAccuracy],
  ["Positive rate", (a) => a.positiveRate],
];

function checkOptions(report: AttributeReport, options: FormatAttributeTableOptions): void {
  const { digits, published } = options;
  if (digits !== undefined && (!Number.isInteger(digits) || digits < 0 || digits > 10)) {
    throw new InvalidOptionError({
      option: "digits",
      value: digits,
      hint: "it must be an integer from 0 to 10 (default 2)",
    });
  }
  if (published === undefined) return;
  const names = new Set(report.attributes.map((a) => a.name));
  for (const [key, value] of Object.entries(published)) {
    if (!names.has(key)) {
      throw new InvalidOptionError({
        option: `published[${JSON.stringify(key)}]`,
        value,
        hint: `no attribute of the report has that name; valid names: ${[...names].join(", ")}`,
      });
    }
    if (typeof value !== "number" || !(value >= 0 && value <= 1)) {
      throw new InvalidOptionError({
        option: `published[${JSON.stringify(key)}]`,
        value,
        hint: "published accuracies are fractions in [0, 1] like the report; divide percentages by 100",
      });
    }
  }
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, "\\|");
}

/**
 * Renders an {@link AttributeReport} as the markdown table the paper printed: one row
 * per attribute (accuracy, majority baseline, precision, recall, F1, balanced accuracy,
 * positive rate, all in percent) and a final **Mean** row (means over attributes;
 * the published mean is over the attributes that have a published value).
 *
 * @param report - From {@link attributeReport}.
 * @param options - `published` (default none) and `digits` (default 2).
 * @returns The markdown table, lines joined by "\n", with a trailing newline.
 * @throws {InvalidOptionError} For bad `digits`, or a `published` key that names no
 *   attribute or a value outside [0, 1].
 * @example
 * import { attributeReport, formatAttributeTable } from "@celeba/metrics";
 * const report = attributeReport(scores, labels, names);
 * console.log(formatAttributeTable(report, { published: { Bald: 0.99 }, digits: 1 }));
 */
export function formatAttributeTable(
  report: AttributeReport,
  options: FormatAttributeTableOptions = {},
): string {
  checkOptions(report, options);
  const digits = options.digits ?? 2;
  const published = options.published;
  const pct = (v: number) => (v * 100).toFixed(digits);
  const header = ["Attribute", ...COLUMNS.map(([title]) => `${title} (%)`)];
  if (published) header.push("Published (%)");
  const lines = [
    `| ${header.join(" | ")} |`,
    `| ${header.map((_, i) => (i === 0 ? "---" : "---:")).join(" | ")} |`,
  ];
  const publishedValues: number[] = [];
  for (const a of report.attributes) {
    const cells = [escapeCell(a.name), ...COLUMNS.map(([, get]) => pct(get(a)))];
    if (published) {
      const p = Object.hasOwn(published, a.name) ? published[a.name] : undefined;
      if (p !== undefined) publishedValues.push(p);
      cells.push(p === undefined ? "—" : pct(p));
    }
    lines.push(`| ${cells.join(" | ")} |`);
  }
  const n = report.attributes.length;
  const meanOf = (get: (a: AttributeMetrics) => number) =>
    report.attributes.reduce((sum, a) => sum + get(a), 0) / n;
  const meanCells = ["**Mean**", ...COLUMNS.map(([, get]) => pct(meanOf(get)))];
  if (published) {
    meanCells.push(
      publishedValues.length === 0
        ? "—"
        : pct(publishedValues.reduce((s, v) => s + v, 0) / publishedValues.length),
    );
  }
  lines.push(`| ${meanCells.join(" | ")} |`);
  return `${lines.join("\n")}\n`;
}
