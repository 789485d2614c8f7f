import { describe, expect, it } from 'vitest';

import { parseExtraFiles, parseTimestamp, toBuildOptions } from '../src/commands/create-options.js';
import type { CreateArgs } from '../src/commands/create-options.js';

const environment = { cwd: '/work', env: {}, signal: new AbortController().signal };
const base: CreateArgs = { modelName: 'm', handler: 'h' };

describe('parseTimestamp', () => {
  it('reads whole epoch seconds', () => {
    expect(parseTimestamp('1704164645')?.toISOString()).toBe('2024-01-02T03:04:05.000Z');
  });

  it('reads ISO-8601 dates with and without a time and zone', () => {
    expect(parseTimestamp('2024-01-02T03:04:05Z')?.toISOString()).toBe('2024-01-02T03:04:05.000Z');
    expect(parseTimestamp('2024-01-02T05:04:05+02:00')?.toISOString()).toBe('2024-01-02T03:04:05.000Z');
    expect(parseTimestamp('2024-01-02')?.toISOString()).toBe('2024-01-02T00:00:00.000Z');
  });

  it("reads 'now' from the given clock", () => {
    const fixed = new Date('2030-05-06T07:08:09Z');
    expect(parseTimestamp('now', () => fixed)).toBe(fixed);
  });

  it('leaves an absent timestamp absent', () => {
    expect(parseTimestamp(undefined)).toBeUndefined();
  });

  it.each(['yesterday', '2024-13-45', '12.5', '-5', '', '01/02/2024'])('refuses %j with INVALID_OPTION', (text) => {
    expect(() => parseTimestamp(text)).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
  });
});

describe('parseExtraFiles', () => {
  it('splits comma lists, trims items and joins repeated flags', () => {
    expect(parseExtraFiles(['a.json, dir/', 'b.txt'])).toEqual(['a.json', 'dir/', 'b.txt']);
    expect(parseExtraFiles('x')).toEqual(['x']);
  });

  it('refuses empty items', () => {
    expect(() => parseExtraFiles('a,,b')).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
    expect(() => parseExtraFiles('a,')).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
  });
});

describe('toBuildOptions', () => {
  it('maps every reference flag onto its build option', () => {
    const options = toBuildOptions(
      {
        ...base,
        version: '1.0',
        modelPath: 'model',
        serializedFile: 'model.pt',
        modelFile: 'model.py',
        extraFiles: 'a,b',
        runtime: 'python3',
        exportPath: 'out',
        archiveFormat: 'tgz',
        force: true,
        requirementsFile: 'requirements.txt',
        configFile: 'model-config.yaml',
      },
      environment,
    );
    expect(options).toMatchObject({
      modelName: 'm',
      handler: 'h',
      version: '1.0',
      modelPath: 'model',
      serializedFile: 'model.pt',
      modelFile: 'model.py',
      extraFiles: ['a', 'b'],
      runtime: 'python3',
      exportPath: 'out',
      archiveFormat: 'tgz',
      force: true,
      requirementsFile: 'requirements.txt',
      configFile: 'model-config.yaml',
      cwd: '/work',
      signal: environment.signal,
    });
  });

  it('maps our own flags onto their build options', () => {
    const options = toBuildOptions(
      {
        ...base,
        flavour: 'node',
        keepExtraPaths: true,
        ignoreFile: '.buildignore',
        timestamp: '0',
        compression: 'store',
        compressionLevel: 9,
        description: 'demo',
      },
      environment,
    );
    expect(options).toMatchObject({
      flavour: 'node',
      keepExtraPaths: true,
      ignoreFile: '.buildignore',
      timestamp: new Date(0),
      compression: 'store',
      compressionLevel: 9,
      description: 'demo',
    });
  });

  it('accepts --flatten-extra-files (the default) but not together with --keep-extra-paths', () => {
    expect(toBuildOptions({ ...base, flattenExtraFiles: true }, environment).keepExtraPaths).toBeUndefined();
    expect(() => toBuildOptions({ ...base, flattenExtraFiles: true, keepExtraPaths: true }, environment)).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
  });

  it('passes --no-ignore-file on as ignoreFile false', () => {
    expect(toBuildOptions({ ...base, ignoreFile: false }, environment).ignoreFile).toBe(false);
  });

  it('leaves unset flags out of the options', () => {
    const options = toBuildOptions(base, environment);
    expect(Object.keys(options).sort()).toEqual(['cwd', 'env', 'handler', 'modelName', 'signal']);
  });

  it('refuses the MMS --convert flag with INVALID_OPTION', () => {
    expect(() => toBuildOptions({ ...base, convert: true }, environment)).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
  });

  it('refuses an empty path value such as a bare -c', () => {
    expect(() => toBuildOptions({ ...base, configFile: '' }, environment)).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
    expect(() => toBuildOptions({ ...base, serializedFile: ' ' }, environment)).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
  });

  it.each([0, 10, 2.5, Number.NaN])('refuses compression level %s', (level) => {
    expect(() => toBuildOptions({ ...base, compressionLevel: level }, environment)).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
  });
});
