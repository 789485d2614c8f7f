/**
 * Image decoding for handlers (`context.image`), on sharp: handler modules run from the cache folder and cannot
 * import the runtime's dependencies themselves. PNG and JPEG (and whatever else sharp reads), alpha flattened onto
 * a background, converted to 8-bit RGB, optionally resized.
 */
import { ModelArchiveError } from '@model-archiver/core/read';

/** How to resize: a fixed box (`width` + `height`, fitted per `fit`) or a fixed height keeping the aspect ratio. */
export interface DecodeOptions {
  /** Target width; absent with `height` set: keep the aspect ratio (capped by `maxWidth`). */
  width?: number;
  height?: number;
  maxWidth?: number;
  /** sharp's fit for a fixed box (default `fill`). */
  fit?: 'fill' | 'cover' | 'contain' | 'inside' | 'outside';
  /** Background for alpha and `contain` padding (default white). */
  background?: string;
  /** Where `contain` places the image (default `left`, so padding goes right as OCR models expect). */
  position?: string;
}

/** Decoded pixels: `width * height * 3` bytes, RGB, row-major. */
export interface DecodedImage {
  data: Buffer;
  width: number;
  height: number;
  channels: 3;
  /** Size before resizing. */
  originalWidth: number;
  originalHeight: number;
}

type Sharp = typeof import('sharp').default;
let sharpModule: Promise<Sharp> | undefined;
// Loaded on first use: importing sharp costs tens of milliseconds that models without images should not pay.
const loadSharp = (): Promise<Sharp> => {
  sharpModule ??= import('sharp').then((m) => m.default);
  return sharpModule;
};

/** Decodes and resizes one image. Throws `INPUT_INVALID` for bytes that are not a readable image. */
export async function decodeImage(bytes: Uint8Array, options: DecodeOptions = {}): Promise<DecodedImage> {
  const background = options.background ?? '#ffffff';
  const sharp = await loadSharp();
  try {
    const image = sharp(bytes, { failOn: 'error' });
    const meta = await image.metadata();
    const originalWidth = meta.autoOrient?.width ?? meta.width ?? 0;
    const originalHeight = meta.autoOrient?.height ?? meta.height ?? 0;
    let width = options.width;
    const height = options.height;
    if (width === undefined && height !== undefined && originalHeight > 0) {
      width = Math.max(1, Math.ceil((height * originalWidth) / originalHeight));
      if (options.maxWidth !== undefined) width = Math.min(width, options.maxWidth);
    }
    let pipeline = image.autoOrient().flatten({ background }).toColourspace('srgb');
    if (width !== undefined || height !== undefined) {
      pipeline = pipeline.resize(width, height, { fit: options.fit ?? 'fill', background, position: options.position ?? 'left' });
    }
    const { data, info } = await pipeline.removeAlpha().raw().toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height, channels: 3, originalWidth, originalHeight };
  } catch (cause) {
    throw new ModelArchiveError('INPUT_INVALID', `Not a decodable image: ${(cause as Error).message}`, { cause });
  }
}

/** `context.image`. */
export interface ImageTools {
  decode(bytes: Uint8Array, options?: DecodeOptions): Promise<DecodedImage>;
}

/** The tools handed to handlers. */
export const imageTools: ImageTools = { decode: decodeImage };
