import { describe, expect, it } from 'vitest';

import { checkAnswerHead } from '../src/http/answer-head.js';
import { limitAnswerSize } from '../src/workers/answer-size.js';
import { readResidentBytes } from '../src/workers/process-memory.js';
import type { WireResponse } from '../src/workers/worker-protocol.js';

const refusal = expect.objectContaining({ code: 'HANDLER_RESPONSE_INVALID' });

describe('checkAnswerHead', () => {
  it('accepts statuses 100-599 and the headers HTTP allows', () => {
    for (const status of [100, 200, 418, 599]) expect(() => checkAnswerHead(status, 'application/json', {})).not.toThrow();
    expect(() => checkAnswerHead(200, 'text/plain; charset=utf-8', { 'x-model': 'cls', 'set-cookie': 'a=b' })).not.toThrow();
  });

  it.each([99, 600, 99999, 200.5, Number.NaN, -1])('refuses status %s with HANDLER_RESPONSE_INVALID', (status) => {
    expect(() => checkAnswerHead(status, 'application/json', {})).toThrow(refusal);
  });

  it('refuses header names and values HTTP forbids, content type included', () => {
    const bad: Record<string, string>[] = [{ 'x-a': 'a\r\nset-cookie: x=1' }, { 'x-a': 'a\nb' }, { 'bad name': 'x' }, { '': 'x' }, { 'x-a': 'nul\u0000' }];
    for (const headers of bad) expect(() => checkAnswerHead(200, 'application/json', headers)).toThrow(refusal);
    expect(() => checkAnswerHead(200, 'text/plain\r\nx-injected: 1', {})).toThrow(refusal);
  });
});

describe('limitAnswerSize', () => {
  const answer = (size: number): WireResponse => ({ ok: true, status: 200, contentType: 'application/json', headers: {}, body: new Uint8Array(size) });

  it('keeps answers up to the limit and errors as they are', () => {
    const fits = answer(10);
    expect(limitAnswerSize(fits, 10)).toBe(fits);
    const failed: WireResponse = { ok: false, error: { code: 'HANDLER_FAILED', message: 'x' } };
    expect(limitAnswerSize(failed, 10)).toBe(failed);
  });

  it('turns a larger answer into RESPONSE_TOO_LARGE', () => {
    const limited = limitAnswerSize(answer(11), 10);
    expect(limited.ok ? undefined : limited.error.code).toBe('RESPONSE_TOO_LARGE');
  });
});

describe('readResidentBytes', () => {
  it.runIf(process.platform === 'linux')('reads the resident size of a live process from /proc', async () => {
    const resident = await readResidentBytes(process.pid);
    // The same figure Node reports for itself, give or take what moved between the two readings.
    expect(Math.abs((resident ?? 0) - process.memoryUsage.rss())).toBeLessThan(32 * 1024 * 1024);
  });

  it('gives undefined for a process that does not exist', async () => {
    expect(await readResidentBytes(2 ** 22 + 12345)).toBeUndefined();
  });
});
