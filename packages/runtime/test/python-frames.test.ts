import { describe, expect, it } from 'vitest';

import { FrameDecoder, encodeFrame } from '../src/python/frames.js';

const message = {
  type: 'batch',
  id: 7,
  requests: [
    { requestId: 'a', body: new Uint8Array([0, 1, 2, 255]), headers: { 'x-y': 'z' }, parts: [{ name: 'data', data: Buffer.from('hi') }] },
    { requestId: 'b', body: new Uint8Array(0), headers: {} },
  ],
};

describe('frames', () => {
  it('round-trips a message whose byte values travel as raw payloads', () => {
    const chunks = encodeFrame(message);
    const header = JSON.parse(chunks[1]!.toString('utf8')) as { b: number[] };
    expect(header.b).toEqual([4, 2, 0]);
    const [decoded] = new FrameDecoder().push(Buffer.concat(chunks));
    expect(decoded).toEqual({
      ...message,
      requests: [
        { ...message.requests[0], body: Buffer.from([0, 1, 2, 255]), parts: [{ name: 'data', data: Buffer.from('hi') }] },
        { ...message.requests[1], body: Buffer.alloc(0) },
      ],
    });
  });

  it('decodes frames split at every byte and several frames in one chunk', () => {
    const bytes = Buffer.concat([...encodeFrame(message), ...encodeFrame({ type: 'close' })]);
    const byByte = new FrameDecoder();
    const seen: unknown[] = [];
    for (const byte of bytes) seen.push(...byByte.push(Buffer.from([byte])));
    expect(seen).toHaveLength(2);
    expect(seen[1]).toEqual({ type: 'close' });
    expect(new FrameDecoder().push(bytes)).toEqual(seen);
  });

  it('leaves lookalike objects alone when they do not reference a payload', () => {
    const [decoded] = new FrameDecoder().push(Buffer.concat(encodeFrame({ manifest: { __frame_blob__: 3 }, other: { __frame_blob__: 0, x: 1 } })));
    expect(decoded).toEqual({ manifest: { __frame_blob__: 3 }, other: { __frame_blob__: 0, x: 1 } });
  });

  it('refuses a header over the size limit', () => {
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32BE(0xffffffff, 0);
    expect(() => new FrameDecoder().push(prefix)).toThrow();
  });
});
