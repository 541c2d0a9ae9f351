/**
 * The Node-only part of `@celeba/internal`: file-backed zip reading, atomic writes and the zip
 * writer. Kept apart so that browser bundles of the packages never see `node:fs`.
 */
export {
  ATOMIC_TEMP_SUFFIX,
  type AtomicWriteData,
  writeFileAtomic,
  writeJsonAtomic,
} from "./atomic-write";
export { openFileSource, openZipFile } from "./file-source";
export { pathExists } from "./path-exists";
export { writeZip, type ZipInput } from "./zip-writer";
