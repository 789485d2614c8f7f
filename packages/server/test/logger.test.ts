import { describe, expect, it } from 'vitest';

import { createLogger } from '../src/logger.js';

const capture = (): { lines: string[]; stream: { write(chunk: string): void } } => {
  const lines: string[] = [];
  return { lines, stream: { write: (chunk: string) => lines.push(chunk) } };
};

describe('createLogger', () => {
  it('writes one JSON object per line with time, level, msg and the fields', () => {
    const { lines, stream } = capture();
    createLogger({ stream, format: 'json' }).info('request', { requestId: 'r1', status: 200 });
    expect(lines).toHaveLength(1);
    expect(lines[0]?.endsWith('\n')).toBe(true);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ level: 'info', msg: 'request', requestId: 'r1', status: 200, time: expect.any(String) });
  });

  it('writes errors as objects with their stack in JSON', () => {
    const { lines, stream } = capture();
    createLogger({ stream, format: 'json' }).error('failed', { error: new Error('boom') });
    expect(JSON.parse(lines[0] ?? '').error).toMatchObject({ name: 'Error', message: 'boom', stack: expect.any(String) });
  });

  it('writes key=value text and drops records below the level', () => {
    const { lines, stream } = capture();
    const log = createLogger({ stream, level: 'warn' });
    log.info('hidden');
    log.warn('worker died', { model: 'cls', exitCode: 3, note: 'two words' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/ WARN  worker died model=cls exitCode=3 note="two words"\n$/);
  });
});
