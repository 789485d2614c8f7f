import { validateHeaderName, validateHeaderValue } from 'node:http';

import { ErrorCode, ModelArchiveError } from '@model-archiver/core';

/**
 * Checks the status and headers of an answer before any of it is written: the status is a whole number from 100 to
 * 599 and every header name and value is one HTTP allows (no CR, LF or other control characters). Only a handler can
 * get these wrong, so the refusal is `HANDLER_RESPONSE_INVALID` (500), with Node's reason in `cause`.
 */
export const checkAnswerHead = (status: number, contentType: string, headers: Readonly<Record<string, string>>): void => {
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    throw new ModelArchiveError(ErrorCode.HANDLER_RESPONSE_INVALID, 'The handler set a response status outside 100-599.', { details: { status: String(status) } });
  }
  try {
    validateHeaderValue('content-type', contentType);
    for (const [name, value] of Object.entries(headers)) {
      validateHeaderName(name);
      validateHeaderValue(name, value);
    }
  } catch (error) {
    throw new ModelArchiveError(ErrorCode.HANDLER_RESPONSE_INVALID, 'The handler set a response header that HTTP does not allow.', { cause: error });
  }
};
