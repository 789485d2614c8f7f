/**
 * File-name suffixes of model archives, longest match first: `.mar` (zip), `.tar.gz` and `.tgz` (TorchServe
 * `--archive-format tgz`), `.zip`, and `.model` (MMS 0.x archives).
 */
export const ARCHIVE_SUFFIXES = ['.tar.gz', '.tgz', '.mar', '.zip', '.model'] as const;

/**
 * The file name without its archive suffix (case-insensitive), or the name as it is when it has none:
 * the default model name of an archive, and the folder `extract` writes to.
 *
 * @example
 * stripArchiveSuffix('resnet-18.mar'); // 'resnet-18'
 * stripArchiveSuffix('m.tar.gz'); // 'm'
 * stripArchiveSuffix('weights.onnx'); // 'weights.onnx'
 */
export function stripArchiveSuffix(fileName: string): string {
  const lower = fileName.toLowerCase();
  const suffix = ARCHIVE_SUFFIXES.find((s) => lower.endsWith(s));
  return suffix === undefined ? fileName : fileName.slice(0, -suffix.length);
}
