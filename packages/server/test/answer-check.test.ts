import { describe, expect, it } from 'vitest';

import { checkAnswer } from '../src/workers/answer-check.js';
import { readResidentBytes } from '../src/workers/process-memory.js';
import type { WireResponse } from '../src/workers/worker-protocol.js';

const answer = (fields: Partial<Extract<WireResponse, { ok: true }>> = {}): WireResponse => ({
  ok: true,
  status: 200,
  contentType: 'application/json',
  headers: {},
  body: new Uint8Array(10),
  ...fields,
});

const codeOf = (response: WireResponse): string | undefined => (response.ok ? undefined : response.error.code);

describe('checkAnswer', () => {
  it('passes a valid answer through unchanged', () => {
    const valid = answer({ status: 418, headers: { 'x-model': 'cls', 'set-cookie': 'a=b' } });
    expect(checkAnswer(valid, 10)).toBe(valid);
    expect(checkAnswer(answer({ status: 100 }), 10).ok).toBe(true);
    expect(checkAnswer(answer({ status: 599 }), 10).ok).toBe(true);
  });

  it.each([99, 600, 99999, 200.5, Number.NaN, -1])('refuses status %s with HANDLER_RESPONSE_INVALID', (status) => {
    expect(codeOf(checkAnswer(answer({ status }), 10))).toBe('HANDLER_RESPONSE_INVALID');
  });

  it('refuses header names and values HTTP forbids, content type included', () => {
    const bad: Record<string, string>[] = [{ 'x-a': 'a\r\nset-cookie: x=1' }, { 'x-a': 'a\nb' }, { 'bad name': 'x' }, { '': 'x' }, { 'x-a': 'nul\u0000' }];
    for (const headers of bad) {
      expect(codeOf(checkAnswer(answer({ headers }), 10))).toBe('HANDLER_RESPONSE_INVALID');
    }
    expect(codeOf(checkAnswer(answer({ contentType: 'text/plain\r\nx-injected: 1' }), 10))).toBe('HANDLER_RESPONSE_INVALID');
  });

  it('refuses a body over the limit with RESPONSE_TOO_LARGE, and keeps errors as they are', () => {
    expect(codeOf(checkAnswer(answer({ body: new Uint8Array(11) }), 10))).toBe('RESPONSE_TOO_LARGE');
    const failed: WireResponse = { ok: false, error: { code: 'HANDLER_FAILED', message: 'x' } };
    expect(checkAnswer(failed, 10)).toBe(failed);
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
