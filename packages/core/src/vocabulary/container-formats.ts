/** Containers the reader recognises (by magic bytes, or a folder): `.mar`/`.zip`, `.tar.gz`, an extracted folder. */
export const CONTAINER_FORMATS = ['zip', 'tgz', 'folder'] as const;

/** A container format (see {@link CONTAINER_FORMATS}). */
export type ContainerFormat = (typeof CONTAINER_FORMATS)[number];
