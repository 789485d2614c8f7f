import { buildArchive, extractArchive, openArchive } from '@model-archiver/core';
const r = await buildArchive({ modelName: 'm', handler: 'svc.mjs:handle', version: '1.0', flavour: 'node', extraFiles: ['/tmp/h7/m1/svc.mjs'], exportPath: '/tmp/h7/out', force: true, cwd: '/tmp/h7/m1' });
console.log(r.outputPath, r.manifest, r.entries.map(e => e.path));
const a = await openArchive(r.outputPath); console.log(a.entries.map(e=>e.path)); await a.close();
await extractArchive(r.outputPath, '/tmp/h7/out-x-' + Date.now(), { verifyIntegrity: true });
console.log('extracted');
