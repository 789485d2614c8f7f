import { ErrorCode } from '@model-archiver/core';

import type { WireResponse } from './worker-protocol.js';

/**
 * Caps what a handler may send back: an answer whose body is over `maxResponseSize` bytes becomes
 * `RESPONSE_TOO_LARGE` for its request only (the other answers of its batch are kept).
 */
export const limitAnswerSize = (response: WireResponse, maxResponseSize: number): WireResponse => {
  if (!response.ok || response.body.byteLength <= maxResponseSize) return response;
  return {
    ok: false,
    error: {
      code: ErrorCode.RESPONSE_TOO_LARGE,
      message: `The handler's answer is larger than the limit of ${maxResponseSize} bytes.`,
      cause: `${response.body.byteLength} bytes`,
    },
  };
};
