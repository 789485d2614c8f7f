import { hostileCases } from './fixtures/hostile/cases.mjs';
import { openArchive } from './packages/core/src/read/open-archive.ts';
import { extractArchive } from './packages/core/src/extract/extract-archive.ts';
import { mkdtempSync, writeFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const dir = mkdtempSync(join(tmpdir(), 'h5-'));
let bad = 0;
for (const c of hostileCases()) {
  const p = join(dir, c.name + c.ext); if (process.env.V) console.log("case", c.name);
  writeFileSync(p, c.build());
  const opts = c.limits ? { limits: c.limits } : {};
  let stage = 'none', code = 'OK';
  try {
    stage = 'open';
    const a = await openArchive(p, opts);
    try {
      stage = 'read';
      for (const e of a.entries) if (e.type === 'file') await a.readEntry(e.path);
      stage = 'manifest';
      await a.readManifest();
    } finally { await a.close(); }
    stage = 'extract';
    await extractArchive(p, join(dir, 'out-' + c.name), opts);
  } catch (e: any) { code = e.code ?? ('CRASH ' + e.stack); }
  const ok = code === c.code && (stage === c.stage || (c.stage === 'manifest' && stage === 'manifest'));
  if (!ok) { bad++; console.log('MISMATCH', c.name, 'expected', c.code, c.stage, 'got', code, stage); }
}
console.log('cases', hostileCases().length, 'bad', bad, readdirSync(dir).filter(f => !/\.(mar|gz|bin)$/.test(f)));
rmSync(dir, { recursive: true });
