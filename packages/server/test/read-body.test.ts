import { PassThrough } from 'node:stream';

import { describe, expect, it } from 'vitest';

import { readBody } from '../src/http/http-context.js';
import type { HttpContext } from '../src/http/http-context.js';
import { ownedBuffer } from '../src/workers/worker-loop.js';

/** A context whose request streams `chunks`. */
const contextOf = (chunks: Buffer[], headers: Record<string, string> = {}): HttpContext => {
  const req = Object.assign(new PassThrough(), { headers });
  setImmediate(() => {
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
  return { req } as unknown as HttpContext;
};

const bytes = (length: number, seed: number): Buffer => Buffer.from(Array.from({ length }, (_, i) => (i * 31 + seed) % 251));

describe('readBody', () => {
  it('gathers a body of several chunks so that the offset given is 8-byte aligned, and it can be moved to a thread', async () => {
    const chunks = [bytes(65_536, 1), bytes(40_000, 2), bytes(5_057, 3)];
    for (const alignAt of [146, 3, 8, 0]) {
      const body = await readBody(contextOf(chunks), 1_000_000, alignAt);
      expect(Buffer.compare(body, Buffer.concat(chunks))).toBe(0);
      expect((body.byteOffset + alignAt) % 8).toBe(0);
      expect(ownedBuffer(body)).toBe(body.buffer);
    }
  });

  it('refuses a body over the limit with PAYLOAD_TOO_LARGE', async () => {
    await expect(readBody(contextOf([bytes(600, 1), bytes(600, 2)]), 1000, 146)).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    await expect(readBody(contextOf([], { 'content-length': '2000' }), 1000)).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  });
});

describe('ownedBuffer', () => {
  it('moves only buffers that no other view shares', () => {
    const whole = new Uint8Array(10_000);
    expect(ownedBuffer(whole)).toBe(whole.buffer);
    expect(ownedBuffer(whole.subarray(6))).toBe(whole.buffer);
    expect(ownedBuffer(whole.subarray(8))).toBeUndefined();
    expect(ownedBuffer(whole.subarray(0, 9_999))).toBeUndefined();
    // Small buffers come from Node's shared pool: copied, never moved.
    expect(ownedBuffer(Buffer.from('small'))).toBeUndefined();
  });
});
