/**
 * Tries an execution provider in a child process first, so what its native libraries print straight to file
 * descriptor 2 (Dawn's "Couldn't load Vulkan" for `webgpu` on a machine without Vulkan) is captured instead of landing
 * on the user's stderr; ONNX Runtime's own log severity cannot reach those lines. Used only for providers known to
 * print that way ({@link NOISY_PROVIDERS}) and only when native logs are not wanted.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';

/** Providers whose native libraries write to stderr while ONNX Runtime looks for a device. */
export const NOISY_PROVIDERS: ReadonlySet<string> = new Set(['webgpu']);

/** How long a probe may take before the provider counts as unavailable. */
const PROBE_TIMEOUT_MS = 60_000;

/** What a probe found: the provider works on this model, or why not (and what the native side printed). */
export type ProbeResult = { ok: true } | { ok: false; reason: string; nativeOutput: string };

// CommonJS so the child needs no module resolution of its own: it gets onnxruntime-node's resolved path.
const CHILD = `
const ort = require(process.argv[1]);
ort.env.logLevel = 'fatal';
const [model, provider, gpu] = process.argv.slice(2);
const ep = gpu === '' ? provider : { name: provider, deviceId: Number(gpu) };
ort.InferenceSession.create(model, { executionProviders: [ep], logSeverityLevel: 4 })
  .then((s) => s.release())
  .then(() => process.stdout.write('{"ok":true}'), (e) => process.stdout.write(JSON.stringify({ ok: false, reason: String(e && e.message).split('\\n')[0] })));
`;

/** Creates (and releases) a session on `model` with `provider` alone, in a child process. */
export function probeProvider(model: string, provider: string, gpuId: number | null | undefined): Promise<ProbeResult> {
  const ortPath = createRequire(import.meta.url).resolve('onnxruntime-node');
  const gpu = typeof gpuId === 'number' ? String(gpuId) : '';
  return new Promise((resolve) => {
    execFile(process.execPath, ['-e', CHILD, ortPath, model, provider, gpu], { timeout: PROBE_TIMEOUT_MS, maxBuffer: 1024 * 1024 }, (error, stdout, stderr) => {
      try {
        const result = JSON.parse(stdout) as { ok: boolean; reason?: string };
        if (result.ok) resolve({ ok: true });
        else resolve({ ok: false, reason: result.reason ?? 'failed', nativeOutput: stderr });
      } catch {
        resolve({ ok: false, reason: error?.message.split('\n')[0] ?? 'the probe process failed', nativeOutput: stderr });
      }
    });
  });
}
