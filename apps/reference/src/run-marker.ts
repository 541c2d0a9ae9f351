import { readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "@celeba/internal/node";

/** The file that marks a folder as made by this CLI; `--force` replaces only such folders. */
export const RUN_MARKER_FILE = ".celeba-reference.json";

/** What a marked folder holds: a training run, a demo (data and run), or a synthetic CelebA. */
export type FolderKind = "run" | "demo" | "synth";

const KIND_TEXT: Record<FolderKind, string> = {
  run: 'a training run (made by "reference train")',
  demo: 'a demo (made by "reference demo")',
  synth: 'a synthetic CelebA (made by "reference synth")',
};

/** Describes a folder kind for messages. */
export function describeFolderKind(kind: FolderKind): string {
  return KIND_TEXT[kind];
}

/** The kind a folder's marker names, or undefined when the folder carries no valid marker. */
export function readRunMarker(dir: string): FolderKind | undefined {
  try {
    const parsed = JSON.parse(readFileSync(join(dir, RUN_MARKER_FILE), "utf8")) as {
      createdBy?: unknown;
      kind?: unknown;
    };
    if (parsed.createdBy !== "@celeba/reference") return undefined;
    return parsed.kind === "run" || parsed.kind === "demo" || parsed.kind === "synth"
      ? parsed.kind
      : undefined;
  } catch {
    return undefined;
  }
}

/** Marks `dir` as ours, of the given kind. */
export async function writeRunMarker(dir: string, kind: FolderKind): Promise<void> {
  await writeFileAtomic(
    join(dir, RUN_MARKER_FILE),
    `${JSON.stringify({ createdBy: "@celeba/reference", kind, created: new Date().toISOString() }, null, 2)}\n`,
  );
}
