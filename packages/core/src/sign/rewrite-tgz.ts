import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';

import type { Header } from 'tar-stream';

type Headers = Partial<Header> & Pick<Header, 'name'>;

import type { ZipAddition } from './rewrite-zip.js';

/**
 * Copies a `.tar.gz` entry by entry (headers kept, PAX data included) into a new gzip file, drops the members named
 * `root + addition.path`, then appends the additions under the same root with the record's mode and mtime.
 */
export async function rewriteTgz(
  sourcePath: string,
  targetPath: string,
  root: string | undefined,
  additions: readonly ZipAddition[],
): Promise<void> {
  const prefix = root === undefined || root === '' ? '' : `${root}/`;
  const replaced = new Set(additions.map((a) => prefix + a.path));
  // Loaded on use: tar-stream is only needed for .tar.gz archives.
  // The CommonJS module object is `default` both for Node and for the CLI bundle (which has no named exports for it).
  const { extract: createExtract, pack: createPack } = (await import('tar-stream')).default;
  const extract = createExtract();
  const pack = createPack();
  let template: Headers | undefined;
  extract.on('entry', (header, stream, next) => {
    const name = header.name.replace(/^(\.\/)+/, '');
    if (replaced.has(name)) {
      stream.on('end', () => next());
      stream.resume();
      return;
    }
    if (name === `${prefix}MAR-INF/integrity.json`) template = header;
    const sink = pack.entry(header, (error?: Error | null) => next(error ?? undefined));
    stream.pipe(sink as unknown as NodeJS.WritableStream);
  });
  extract.on('finish', () => {
    const add = (index: number): void => {
      const addition = additions[index];
      if (addition === undefined) {
        pack.finalize();
        return;
      }
      const header: Headers = {
        name: prefix + addition.path,
        size: addition.data.length,
        mode: template?.mode ?? 0o644,
        mtime: template?.mtime ?? new Date(0),
        uid: 0,
        gid: 0,
        uname: '',
        gname: '',
        type: 'file',
      };
      pack.entry(header, addition.data, (error?: Error | null) => (error ? pack.destroy(error) : add(index + 1)));
    };
    add(0);
  });
  await Promise.all([
    pipeline(createReadStream(sourcePath), createGunzip(), extract as unknown as NodeJS.WritableStream),
    pipeline(pack as unknown as NodeJS.ReadableStream, createGzip({ level: 9 }), createWriteStream(targetPath, { flags: 'wx' })),
  ]);
}
