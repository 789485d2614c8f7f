import { describe, expect, it } from 'vitest';

import { decodeValue, toInferenceRequest, toWireResponse } from '../src/workers/worker-codec.js';
import type { WireModelInfo, WireRequest } from '../src/workers/worker-protocol.js';

const wire = (overrides: Partial<WireRequest>): WireRequest => ({
  requestId: 'r1',
  kind: 'predict',
  body: Buffer.from(''),
  contentType: 'application/octet-stream',
  headers: {},
  query: {},
  ...overrides,
});

const info: WireModelInfo = { name: 'm', version: '2.0', manifest: {}, inputs: [], outputs: [], handler: 'handler.mjs' };

describe('decodeValue', () => {
  it('parses JSON, keeps text as a string and bytes as a Buffer', () => {
    expect(decodeValue(Buffer.from('{"a":1}'), 'application/json; charset=utf-8', 'x')).toEqual({ a: 1 });
    expect(decodeValue(Buffer.from('hi'), 'text/plain', 'x')).toBe('hi');
    expect(Buffer.isBuffer(decodeValue(Buffer.from([1, 2]), 'image/png', 'x'))).toBe(true);
  });

  it('refuses malformed JSON with INPUT_INVALID', () => {
    expect(() => decodeValue(Buffer.from('{"a":'), 'application/json', 'x')).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
  });
});

describe('toInferenceRequest', () => {
  it('puts the data field of a form in body and every field in parameters', () => {
    const request = toInferenceRequest(
      wire({
        contentType: 'multipart/form-data; boundary=x',
        query: { q: '1' },
        parts: [
          { name: 'extra', contentType: 'text/plain', data: Buffer.from('e') },
          { name: 'data', contentType: 'image/png', filename: 'a.png', data: Buffer.from([9]) },
        ],
      }),
    );
    expect(request.contentType).toBe('image/png');
    expect(Buffer.from(request.body as Buffer)).toEqual(Buffer.from([9]));
    expect(request.parameters).toMatchObject({ q: '1', extra: 'e' });
  });

  it('requires an inputs array on the v2 route', () => {
    expect(() => toInferenceRequest(wire({ kind: 'v2-infer', body: Buffer.from('{"x":1}') }))).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
    expect(() => toInferenceRequest(wire({ kind: 'v2-infer', body: Buffer.from('not json') }))).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
    expect(toInferenceRequest(wire({ kind: 'v2-infer', body: Buffer.from('{"inputs":[]}') })).body).toEqual({ inputs: [] });
  });
});

describe('toWireResponse', () => {
  it('sends JSON values as application/json and bytes raw', () => {
    const json = toWireResponse(wire({}), undefined, { body: { a: 1 }, contentType: 'application/json', status: 200, headers: {} }, info);
    expect(json).toMatchObject({ ok: true, status: 200, contentType: 'application/json' });
    if (json.ok) expect(JSON.parse(Buffer.from(json.body).toString())).toEqual({ a: 1 });
    const bytes = toWireResponse(wire({}), undefined, { body: Buffer.from([1, 2]), contentType: 'image/png', status: 201, headers: { 'X-A': 'b' } }, info);
    expect(bytes).toMatchObject({ ok: true, status: 201, contentType: 'image/png', headers: { 'x-a': 'b' } });
  });

  it('wraps v2 outputs with the request id, model name and version', () => {
    const request = wire({ kind: 'v2-infer', body: Buffer.from('{"id":"abc","inputs":[]}') });
    const decoded = toInferenceRequest(request);
    const answer = toWireResponse(request, decoded, { body: { outputs: [{ name: 'y', datatype: 'FP32', shape: [1], data: [1] }] }, contentType: 'application/json', status: 200, headers: {} }, info);
    expect(answer.ok).toBe(true);
    if (answer.ok) {
      expect(JSON.parse(Buffer.from(answer.body).toString())).toEqual({ id: 'abc', model_name: 'm', model_version: '2.0', outputs: [{ name: 'y', datatype: 'FP32', shape: [1], data: [1] }] });
    }
  });
});
