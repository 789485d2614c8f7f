import { inspectOnnxModels } from '../inspect/inspect-archive.js';
import type { InspectedOnnxModel } from '../inspect/inspect-archive.js';
import { LEGACY_MANIFEST_PATH, MANIFEST_PATH } from '../vocabulary/manifest-flavours.js';
import { safeValidateManifest } from '../manifest/validate-manifest.js';
import type { ModelArchive } from '../read/archive-types.js';
import type { VerifyReport } from '../verify/verify-archive.js';
import { verifyArchive } from '../verify/verify-archive.js';
import { resolveHandlerTarget } from './handler-target.js';
import type { HandlerTarget } from './handler-target.js';
import type { LintContext, LintManifest } from './lint-types.js';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Reads the manifest for lint: never throws for a missing or invalid manifest. */
export async function readLintManifest(archive: ModelArchive): Promise<LintManifest | undefined> {
  const path = [MANIFEST_PATH, LEGACY_MANIFEST_PATH].find((p) => archive.entry(p)?.type === 'file');
  if (path === undefined) return undefined;
  const bytes = await archive.readEntry(path);
  const result = await safeValidateManifest(bytes, { path });
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    json = undefined;
  }
  const model = isRecord(json) && isRecord(json['model']) ? json['model'] : undefined;
  const runtime = isRecord(json) && typeof json['runtime'] === 'string' ? json['runtime'] : undefined;
  return { path, flavour: result.flavour, json, issues: result.ok ? [] : result.issues, model, runtime };
}

/** Builds the shared, lazily computed context of one archive. */
export async function createLintContext(archive: ModelArchive, deep: boolean, signal?: AbortSignal): Promise<LintContext> {
  const manifest = await readLintManifest(archive);
  let verified: Promise<VerifyReport> | undefined;
  let handler: HandlerTarget | undefined | null = null;
  const texts = new Map<string, Promise<string>>();
  let onnx: Promise<InspectedOnnxModel[]> | undefined;
  return {
    archive,
    manifest,
    deep,
    verify: () => {
      verified ??= verifyArchive(archive, signal === undefined ? {} : { signal });
      return verified;
    },
    handler: () => {
      if (handler !== null) return handler;
      const value = manifest?.flavour === 'legacy-mms' ? undefined : manifest?.model?.['handler'];
      handler =
        typeof value === 'string' && value.trim() !== ''
          ? resolveHandlerTarget(value, manifest?.runtime, (p) => archive.entry(p)?.type === 'file')
          : undefined;
      return handler;
    },
    onnxModels: () => {
      onnx ??= inspectOnnxModels(archive);
      return onnx;
    },
    readText: (path) => {
      let text = texts.get(path);
      if (text === undefined) {
        text = archive.readEntry(path).then((b) => b.toString('utf8'));
        texts.set(path, text);
      }
      return text;
    },
  };
}
