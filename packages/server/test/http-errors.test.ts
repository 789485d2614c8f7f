import { ErrorCode, ModelArchiveError } from '@model-archiver/core';
import { describe, expect, it } from 'vitest';

import { httpErrorBody, httpErrorFor } from '../src/http/http-errors.js';

describe('httpErrorFor', () => {
  it('maps every error code to an HTTP error status and a type name', () => {
    for (const code of Object.values(ErrorCode)) {
      const mapping = httpErrorFor[code];
      expect(mapping.status).toBeGreaterThanOrEqual(400);
      expect(mapping.status).toBeLessThan(600);
      expect(mapping.type).toMatch(/Exception$/);
    }
  });

  it('uses the statuses of the reference servers for the serving codes', () => {
    expect(httpErrorFor.MODEL_NOT_FOUND).toEqual({ status: 404, type: 'ModelNotFoundException' });
    expect(httpErrorFor.ROUTE_NOT_FOUND.status).toBe(404);
    expect(httpErrorFor.METHOD_NOT_ALLOWED.status).toBe(405);
    expect(httpErrorFor.REQUEST_TIMEOUT.status).toBe(408);
    expect(httpErrorFor.MODEL_ALREADY_REGISTERED.status).toBe(409);
    expect(httpErrorFor.PAYLOAD_TOO_LARGE.status).toBe(413);
    expect(httpErrorFor.INPUT_INVALID.status).toBe(400);
    expect(httpErrorFor.SERVICE_UNAVAILABLE.status).toBe(503);
    expect(httpErrorFor.HANDLER_FAILED.status).toBe(503);
    expect(httpErrorFor.WORKER_DIED.status).toBe(503);
    expect(httpErrorFor.MODEL_LOAD_FAILED.status).toBe(500);
  });
});

describe('httpErrorBody', () => {
  it('builds the TorchServe error body plus our stable code', () => {
    const body = httpErrorBody(new ModelArchiveError('MODEL_NOT_FOUND', 'Model not found: foo'));
    expect(body).toEqual({ code: 404, type: 'ModelNotFoundException', message: 'Model not found: foo', errorCode: 'MODEL_NOT_FOUND' });
  });

  it('hides the text of an unexpected error behind INTERNAL', () => {
    const body = httpErrorBody(new Error('secret path /etc/x'));
    expect(body.code).toBe(500);
    expect(body.errorCode).toBe('INTERNAL');
    expect(body.message).not.toContain('secret');
  });
});
