/** Output formats, named as in both reference archivers (`--archive-format`). */
export const ARCHIVE_FORMATS = ['default', 'zip-store', 'tgz', 'no-archive'] as const;

/** An output format (see {@link ARCHIVE_FORMATS}). */
export type ArchiveFormat = (typeof ARCHIVE_FORMATS)[number];

/** What is written for each format. */
export interface ArchiveFormatTraits {
  /** Appended to the model name to name the output (`''`: a folder named after the model). */
  suffix: string;
  /** Every file entry is stored uncompressed, whatever the compression options say. */
  storeOnly: boolean;
}

/** What each format writes: `<model-name><suffix>`, and whether entries are only stored. */
export const ARCHIVE_FORMAT_TRAITS = {
  default: { suffix: '.mar', storeOnly: false },
  'zip-store': { suffix: '.mar', storeOnly: true },
  tgz: { suffix: '.tar.gz', storeOnly: false },
  'no-archive': { suffix: '', storeOnly: false },
} as const satisfies Record<ArchiveFormat, ArchiveFormatTraits>;

/** True when `value` names an output format. */
export const isArchiveFormat = (value: unknown): value is ArchiveFormat =>
  (ARCHIVE_FORMATS as readonly unknown[]).includes(value);
