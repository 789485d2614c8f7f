import { validateHeaderName, validateHeaderValue } from 'node:http';

import { ErrorCode } from '@model-archiver/core';

import type { WireError, WireResponse } from './worker-protocol.js';

const invalid = (message: string, cause: unknown): WireError => ({
  code: ErrorCode.HANDLER_RESPONSE_INVALID,
  message,
  cause: cause instanceof Error ? cause.message : String(cause),
});

/**
 * Checks one answer of a handler before it is sent: the status is a whole number from 100 to 599, every header name
 * and value is one HTTP allows (no CR, LF or other control characters), and the body is at most `maxResponseSize`
 * bytes. A bad answer becomes a coded error (`HANDLER_RESPONSE_INVALID`, `RESPONSE_TOO_LARGE`) for its request only.
 */
export const checkAnswer = (response: WireResponse, maxResponseSize: number): WireResponse => {
  if (!response.ok) return response;
  if (!Number.isInteger(response.status) || response.status < 100 || response.status > 599) {
    return { ok: false, error: invalid('The handler set a response status outside 100-599.', `status ${String(response.status)}`) };
  }
  try {
    validateHeaderValue('content-type', response.contentType);
    for (const [name, value] of Object.entries(response.headers)) {
      validateHeaderName(name);
      validateHeaderValue(name, value);
    }
  } catch (error) {
    return { ok: false, error: invalid('The handler set a response header that HTTP does not allow.', error) };
  }
  if (response.body.byteLength > maxResponseSize) {
    return {
      ok: false,
      error: {
        code: ErrorCode.RESPONSE_TOO_LARGE,
        message: `The handler's answer is larger than the limit of ${maxResponseSize} bytes.`,
        cause: `${response.body.byteLength} bytes`,
      },
    };
  }
  return response;
};
