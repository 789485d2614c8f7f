"""One batch: wire requests -> the handler's ``data`` list and ``context`` state -> wire responses.

The request and response conventions are those of ``Service.retrieve_data_for_inference``/``Service.predict`` and
``otf_message_handler`` in MMS (mms/service.py) and TorchServe (ts/service.py, ts/protocol/otf_message_handler.py),
Apache-2.0:
- each request becomes a dict ``{parameter_name: value}``: the raw body as ``"body"``, multipart fields under their
  names (``"data"`` for ``-F data=@file``), query parameters under theirs;
- values: ``application/json`` parsed, ``text/*`` as ``str``, else ``bytes`` (``TS_DECODE_INPUT_REQUEST`` or
  ``MMS_DECODE_INPUT_REQUEST`` = ``false`` keeps bytes);
- the handler must return a list of the batch's length; per item ``bytes`` go out raw, ``str`` as UTF-8, anything
  else as ``json.dumps(value, indent=2)``;
- ``PredictionException(message, error_code)`` (any exception with ``message`` and an int ``error_code``) answers that
  status for the whole batch, ``MemoryError`` 507, other exceptions fail the batch.
"""

import json
import os
import sys
import time
import traceback

from model_archiver_worker.context import RequestProcessor

JSON_TYPE = "application/json"


def _decode_enabled():
    for name in ("TS_DECODE_INPUT_REQUEST", "MMS_DECODE_INPUT_REQUEST"):
        value = os.environ.get(name)
        if value is not None and value != "true":
            return False
    return True


def _media_type(content_type):
    return (content_type or "").split(";", 1)[0].strip().lower()


def decode_value(value, content_type, decode):
    media = _media_type(content_type)
    if decode and media == JSON_TYPE:
        try:
            return json.loads(value.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            sys.stderr.write("Failed json decoding of input data. Forwarding encoded payload\n")
            return value
    if decode and media.startswith("text"):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            sys.stderr.write("Failed utf-8 decoding of input data. Forwarding encoded payload\n")
            return value
    return value


def build_batch(requests):
    """Returns (data list, request processors, {index: request id})."""
    decode = _decode_enabled()
    data, processors, ids = [], [], {}
    for index, request in enumerate(requests):
        model_in, headers = {}, {}
        for name, value in (request.get("query") or {}).items():
            model_in[name] = value
        parts = request.get("parts") or []
        if parts:
            for part in parts:
                content_type = part.get("contentType") or ""
                model_in[part["name"]] = decode_value(part["data"], content_type, decode)
                headers[part["name"]] = {"content-type": content_type}
        else:
            content_type = request.get("contentType") or ""
            if request.get("kind") == "v2-infer":
                content_type = JSON_TYPE
            model_in["body"] = decode_value(request.get("body") or b"", content_type, decode)
            headers["body"] = {"content-type": content_type}
        headers.update(request.get("headers") or {})
        data.append(model_in)
        processors.append(RequestProcessor(headers))
        ids[index] = request.get("requestId") or str(index)
    return data, processors, ids


def _failure(code, message, cause=None):
    error = {"code": code, "message": message}
    if cause is not None:
        error["cause"] = cause
    return {"ok": False, "error": error}


def _status_answer(status, message):
    """What the reference frontends answer for a batch-level status: their ErrorResponse JSON."""
    body = json.dumps({"code": status, "type": "InternalServerException", "message": message}, indent=2).encode("utf-8")
    return {"ok": True, "status": status, "contentType": JSON_TYPE, "headers": {}, "body": body}


def _encode(value):
    """(bytes, default content type); raises TypeError/ValueError when the value is not JSON-able."""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value), "application/octet-stream"
    if isinstance(value, str):
        return value.encode("utf-8"), "text/plain; charset=utf-8"
    return json.dumps(value, indent=2).encode("utf-8"), JSON_TYPE


def _v2_outputs(value):
    if isinstance(value, bytes):
        value = json.loads(value.decode("utf-8"))
    if isinstance(value, list):
        return value
    if isinstance(value, dict) and isinstance(value.get("outputs"), list):
        return value["outputs"]
    raise ValueError("The handler did not return Open Inference Protocol outputs.")


def _answer(request, value, processor, info):
    status = processor.get_response_status_code()
    status = status if isinstance(status, int) and 100 <= status <= 599 else 200
    if request.get("kind") == "v2-infer" and status < 300:
        body = request.get("body") or b"{}"
        try:
            request_id = json.loads(body.decode("utf-8")).get("id")
        except (ValueError, UnicodeDecodeError, AttributeError):
            request_id = None
        value = {
            "id": request_id if isinstance(request_id, str) else request.get("requestId"),
            "model_name": info["name"],
            "model_version": info["version"],
            "outputs": _v2_outputs(value),
        }
    payload, default_type = _encode(value)
    headers = {str(k).lower(): str(v) for k, v in processor.get_response_headers().items()}
    declared = headers.pop("content-type", None)
    content_type = JSON_TYPE if default_type == JSON_TYPE and request.get("kind") == "v2-infer" else (declared or default_type)
    return {"ok": True, "status": status, "contentType": content_type, "headers": headers, "body": payload}


def _prediction_exception(error):
    code = getattr(error, "error_code", None)
    message = getattr(error, "message", None)
    return isinstance(code, int) and 100 <= code <= 599 and isinstance(message, str)


def predict(entry, context, requests, info):
    """Runs one batch and returns one wire response per request."""
    data, processors, ids = build_batch(requests)
    context.request_ids = ids
    context.request_processor = processors
    context.metrics.request_ids = ids
    count = len(requests)
    started = time.perf_counter()
    try:
        result = entry.handle(data, context)
    except MemoryError:
        traceback.print_exc()
        return [_status_answer(507, "Out of resources")] * count
    except Exception as error:  # the handler's own failure: this batch only
        text = traceback.format_exc()
        sys.stderr.write(text)
        if _prediction_exception(error):
            return [_status_answer(error.error_code, error.message)] * count
        return [_failure("HANDLER_FAILED", "Prediction failed", text)] * count
    if not isinstance(result, list):
        message = "Invalid model predict output: %s is not a list" % type(result).__name__
        return [_failure("HANDLER_FAILED", message)] * count
    if len(result) != count:
        message = "number of batch response mismatched, expect: %d, got: %d." % (count, len(result))
        return [_failure("BATCH_SIZE_MISMATCH", message)] * count
    # TorchServe's HandlerTime: the handler's own time over the batch, in ms.
    handler_ms = (time.perf_counter() - started) * 1000.0
    answers = []
    for index, value in enumerate(result):
        try:
            answer = _answer(requests[index], value, processors[index], info)
            answer["handlerMs"] = handler_ms
            answers.append(answer)
        except TypeError as error:
            # The reference servers fail the whole batch here; one bad item costs only itself.
            answers.append(_failure("HANDLER_FAILED", "Unsupported model output data type.", "%s: %s" % (type(error).__name__, error)))
        except ValueError as error:
            answers.append(_failure("HANDLER_FAILED", str(error)))
    return answers
