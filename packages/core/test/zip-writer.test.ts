import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ZipWriter, type ZipWriterOptions } from '../src/zip/zip-writer.js';
import { toDosDateTime } from '../src/zip/dos-time.js';
import { isDenseByName, probeMethod } from '../src/zip/compression-policy.js';
import { parseZip } from './zip-test-reader.js';

const DATE = new Date('2024-01-02T03:04:05Z');
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zip-writer-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const text = (bytes: number): Buffer => {
  const lines: string[] = [];
  let length = 0;
  for (let i = 0; length < bytes; i += 1) {
    const line = `${i},${(i * 7) % 13},value ${i % 97}\n`;
    lines.push(line);
    length += line.length;
  }
  return Buffer.from(lines.join('')).subarray(0, bytes);
};

/** Runs `fill` against a fresh writer and returns the zip bytes. */
async function makeZip(fill: (zip: ZipWriter) => Promise<void>, options: Partial<ZipWriterOptions> = {}): Promise<Buffer> {
  const path = join(dir, `out-${randomBytes(4).toString('hex')}.zip`);
  const handle = await open(path, 'wx');
  try {
    const zip = new ZipWriter(handle, path, { date: DATE, ...options });
    await fill(zip);
    await zip.finish();
  } finally {
    await handle.close();
  }
  return readFile(path);
}

describe('ZipWriter', () => {
  it('writes the header fields of CPython zipfile: Unix 2.0, no flags, no extras, regular-file modes, UTC DOS time', async () => {
    const source = join(dir, 'a.txt');
    await writeFile(source, text(5000));
    const zip = parseZip(
      await makeZip(async (z) => {
        await z.addFile('a.txt', source, { compression: 'deflate' });
        await z.addBuffer('run.sh', Buffer.from('#!/bin/sh\n'), { compression: 'store', mode: 0o755 });
      }),
    );
    expect(zip.zip64End).toBe(false);
    expect(zip.comment.length).toBe(0);
    const [a, run] = zip.entries;
    expect(a).toMatchObject({ name: 'a.txt', madeBy: 0x0314, versionNeeded: 20, flags: 0, method: 8, size: 5000 });
    expect(a!.externalAttributes >>> 16).toBe(0o100644);
    expect(run!.externalAttributes >>> 16).toBe(0o100755);
    expect(run!.method).toBe(0);
    expect(a!.centralExtra.length + a!.local.extra.length).toBe(0);
    expect({ time: a!.dosTime, date: a!.dosDate }).toEqual(toDosDateTime(DATE));
    expect(a!.dosTime & 0x1f).toBe(2); // 05 s floored to 04 s
    expect(a!.data.equals(text(5000))).toBe(true);
  });

  it('never sets the data descriptor bit and puts the final CRC and sizes in every local header', async () => {
    const random = join(dir, 'r.bin');
    await writeFile(random, randomBytes(300_000));
    const zip = parseZip(
      await makeZip(async (z) => {
        await z.addFile('r.bin', random, { compression: 'store' });
        await z.addFile('r-deflated', random, { compression: 'deflate' });
        await z.addBuffer('t.txt', text(1000), { compression: 'deflate' });
      }),
    );
    for (const entry of zip.entries) {
      expect(entry.flags & 0x0008).toBe(0);
      expect(entry.local.flags & 0x0008).toBe(0);
      expect(entry.local.crc32).toBe(entry.crc32);
      expect(entry.local.compressedSize32).toBe(entry.compressedSize);
      expect(entry.local.size32).toBe(entry.size);
      expect(entry.crc32).toBe(crc32(entry.data));
    }
  });

  it('sets the UTF-8 flag (0x0800) only for non-ASCII names', async () => {
    const zip = parseZip(
      await makeZip(async (z) => {
        await z.addBuffer('ascii.txt', Buffer.from('a'));
        await z.addBuffer('dir/ünï-名前.txt', Buffer.from('b'));
      }),
    );
    expect(zip.entries.map((e) => [e.name, e.flags, e.local.flags])).toEqual([
      ['ascii.txt', 0, 0],
      ['dir/ünï-名前.txt', 0x0800, 0x0800],
    ]);
  });

  it('deflates large entries in pieces that inflate back to the input, with the same bytes at any concurrency', async () => {
    const source = join(dir, 'big.csv');
    const data = text(700_000);
    await writeFile(source, data);
    const build = (concurrency: number): Promise<Buffer> =>
      makeZip((z) => z.addFile('big.csv', source, { compression: 'deflate' }).then(() => undefined), {
        deflateChunkSize: 64 * 1024,
        concurrency,
      });
    const [one, four] = [await build(1), await build(4)];
    expect(one.equals(four)).toBe(true);
    const [entry] = parseZip(one).entries;
    expect(entry!.data.equals(data)).toBe(true);
    expect(entry!.compressedSize).toBeLessThan(data.length / 3);
  });

  it('stores dense and incompressible data in auto mode and deflates text', async () => {
    const random = join(dir, 'weights');
    const textFile = join(dir, 'labels.txt');
    const bigText = join(dir, 'vocab.json');
    await writeFile(random, randomBytes(2_000_000));
    await writeFile(textFile, text(10_000));
    await writeFile(bigText, text(1_500_000));
    const records = [] as { name: string; method: string }[];
    await makeZip(async (z) => {
      records.push(await z.addFile('weights', random, { compression: 'auto' }));
      records.push(await z.addFile('model.onnx', textFile, { compression: 'auto' }));
      records.push(await z.addFile('labels.txt', textFile, { compression: 'auto' }));
      records.push(await z.addFile('vocab.json', bigText, { compression: 'auto' }));
      records.push(await z.addBuffer('tiny', Buffer.from('x'), { compression: 'auto' }));
    });
    expect(records.map((r) => [r.name, r.method])).toEqual([
      ['weights', 'store'],
      ['model.onnx', 'store'],
      ['labels.txt', 'deflate'],
      ['vocab.json', 'deflate'],
      ['tiny', 'store'],
    ]);
    expect(isDenseByName('a/B.SafeTensors')).toBe(true);
    expect(isDenseByName('handler.py')).toBe(false);
    expect(probeMethod(randomBytes(200_000), 6)).toBe('store');
  });

  it('reports SHA-256 and size of the uncompressed bytes', async () => {
    const data = text(123_456);
    const source = join(dir, 'f');
    await writeFile(source, data);
    let record: Awaited<ReturnType<ZipWriter['addFile']>> | undefined;
    await makeZip(async (z) => {
      record = await z.addFile('f', source, { compression: 'deflate' });
    });
    expect(record).toMatchObject({ size: data.length, sha256: createHash('sha256').update(data).digest('hex') });
  });

  it('hashes big stored files on a worker thread with the same results as inline hashing', async () => {
    const data = randomBytes(9 * 1024 * 1024 + 123);
    const source = join(dir, 'big.bin');
    await writeFile(source, data);
    const records: Awaited<ReturnType<ZipWriter['addFile']>>[] = [];
    const zips = [];
    for (const workerHashMinSize of [0, Number.MAX_SAFE_INTEGER]) {
      zips.push(
        await makeZip(async (z) => {
          records.push(await z.addFile('big.bin', source, { compression: 'store' }));
        }, { workerHashMinSize }),
      );
    }
    expect(records[0]!.sha256).toBe(createHash('sha256').update(data).digest('hex'));
    expect(records[1]!.sha256).toBe(records[0]!.sha256);
    expect(zips[0]!.equals(zips[1]!)).toBe(true);
    expect(parseZip(zips[0]!).entries[0]!.data.equals(data)).toBe(true);
  });

  it('uses ZIP64 extras, offsets and end records when the limit is lowered', async () => {
    const source = join(dir, 'a.csv');
    await writeFile(source, text(50_000));
    const zip = parseZip(
      await makeZip(
        async (z) => {
          await z.addFile('a.csv', source, { compression: 'deflate' });
          await z.addFile('b.csv', source, { compression: 'store' });
        },
        { zip64Limit: 100 },
      ),
    );
    expect(zip.zip64End).toBe(true);
    const [a, b] = zip.entries;
    expect(a!.versionNeeded).toBe(45);
    expect(a!.madeBy).toBe(0x032d);
    expect(a!.local.compressedSize32).toBe(0xffffffff);
    expect(a!.local.extra.readUInt16LE(0)).toBe(1);
    expect(Number(a!.local.extra.readBigUInt64LE(4))).toBe(50_000);
    expect(b!.offset).toBeGreaterThan(100); // read back through the ZIP64 offset field
    expect(b!.data.equals(text(50_000))).toBe(true);
  });

  it('copies raw compressed entries with addRaw and checks their byte count', async () => {
    const original = await makeZip((z) => z.addBuffer('t.txt', text(4000), { compression: 'deflate' }).then(() => undefined));
    const entry = parseZip(original).entries[0]!;
    const dataAt = entry.offset + 30 + Buffer.byteLength(entry.name) + entry.local.extra.length;
    const compressed = original.subarray(dataAt, dataAt + entry.compressedSize);
    const copy = parseZip(
      await makeZip(async (z) => {
        await z.addRaw('t.txt', { method: 'deflate', crc32: entry.crc32, size: entry.size, compressedSize: compressed.length, data: compressed });
      }),
    );
    expect(copy.entries[0]!.data.equals(text(4000))).toBe(true);
    await expect(
      makeZip(async (z) => {
        await z.addRaw('t.txt', { method: 'deflate', crc32: entry.crc32, size: entry.size, compressedSize: compressed.length + 1, data: compressed });
      }),
    ).rejects.toMatchObject({ code: 'ENTRY_SIZE_MISMATCH' });
  });

  it('refuses duplicate names, missing sources and cancelled writes with codes', async () => {
    await expect(
      makeZip(async (z) => {
        await z.addBuffer('a', Buffer.from('1'));
        await z.addBuffer('a', Buffer.from('2'));
      }),
    ).rejects.toMatchObject({ code: 'ENTRY_COLLISION' });
    await expect(makeZip((z) => z.addFile('x', join(dir, 'missing')).then(() => undefined))).rejects.toMatchObject({
      code: 'INPUT_READ_FAILED',
    });
    const controller = new AbortController();
    controller.abort();
    await expect(
      makeZip((z) => z.addBuffer('a', Buffer.from('1')).then(() => undefined), { signal: controller.signal }),
    ).rejects.toMatchObject({ code: 'ABORTED' });
  });
});

describe('toDosDateTime', () => {
  it('clamps dates outside the DOS range and ignores the time zone', () => {
    expect(toDosDateTime(new Date(0))).toEqual({ time: 0, date: (1 << 5) | 1 });
    expect(toDosDateTime(new Date('2200-01-01T00:00:00Z')).date >> 9).toBe(127);
    expect(toDosDateTime(new Date('2024-01-02T03:04:05Z'))).toEqual({ time: 0x1882, date: 0x5822 });
  });
});
