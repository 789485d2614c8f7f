import { Readable } from 'node:stream';

import busboy from 'busboy';
import { ErrorCode, ModelArchiveError } from '@model-archiver/core';

import type { WirePart } from '../workers/worker-protocol.js';

/** True for `multipart/form-data` and `application/x-www-form-urlencoded` bodies. */
export const isFormBody = (contentType: string): boolean =>
  /^multipart\/form-data\b/i.test(contentType) || /^application\/x-www-form-urlencoded\b/i.test(contentType);

/**
 * Splits a form body (already read and size-checked) into its fields and files. Text fields get `text/plain` unless
 * the part names a type. A malformed body is `INPUT_INVALID`.
 */
export const parseForm = (body: Buffer, headers: Record<string, string | string[] | undefined>): Promise<WirePart[]> =>
  new Promise((resolve, reject) => {
    const fail = (error: unknown): void =>
      reject(new ModelArchiveError(ErrorCode.INPUT_INVALID, 'The form body is malformed.', { cause: error }));
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: headers as busboy.BusboyConfig["headers"], limits: { fieldSize: body.length + 1, fileSize: body.length + 1 } });
    } catch (error) {
      fail(error);
      return;
    }
    const parts: WirePart[] = [];
    const files: Promise<void>[] = [];
    parser.on('field', (name, value, info) => {
      parts.push({ name, contentType: info.mimeType === 'text/plain' ? 'text/plain' : info.mimeType, data: Buffer.from(value, 'utf8') });
    });
    parser.on('file', (name, stream, info) => {
      files.push(
        new Promise((done, failed) => {
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('end', () => {
            parts.push({ name, contentType: info.mimeType, filename: info.filename, data: Buffer.concat(chunks) });
            done();
          });
          stream.on('error', failed);
        }),
      );
    });
    parser.on('error', fail);
    parser.on('close', () => {
      Promise.all(files).then(() => resolve(parts), fail);
    });
    Readable.from([body]).pipe(parser);
  });
