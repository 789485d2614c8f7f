"""The worker loop: protect the frame channel, load the handler, answer batches until told to close.

Messages (JSON in frames, see frames.py), server -> worker: ``load`` (model folder, handler string and its module and
function parts, name, version, manifest, batch size, gpu id, server version, flavour, model config), ``batch`` (id, requests), ``close``. Worker -> server:
``ready`` (python version), ``load-failed`` (error), ``result`` (id, one response per request).
"""

import os
import signal
import sys
import threading
import time
import traceback

from model_archiver_worker.context import Context
from model_archiver_worker.frames import ChannelClosed, read_frame, write_frame
from model_archiver_worker.loader import LoadError, load_entry
from model_archiver_worker.service import predict


def _protect_channel():
    """Keeps the frames away from handler code: fd 1 becomes stderr (print(), C extensions, child processes), fd 0
    reads nothing; the frames use private duplicates of the original descriptors."""
    frame_in = os.dup(0)
    frame_out = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    sys.stdin = open(os.devnull, "r")
    return frame_in, frame_out


def _watch_parent():
    """Exits when the server goes away (it is then no longer our parent), even while a handler hangs: a closed stdin is
    only noticed between batches."""
    parent = os.getppid()

    def watch():
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, name="model-archiver-parent-watch", daemon=True).start()


def _load(message):
    context = Context(
        message["modelName"],
        message["modelDir"],
        message.get("manifest"),
        message.get("batchSize", 1),
        message.get("gpuId"),
        message.get("serverVersion", ""),
        message.get("flavour", "mms"),
        message.get("modelConfig") or {},
    )
    entry = load_entry(message["module"], message.get("function"), context)
    return entry, context


def main():
    # Ctrl-C in a terminal signals the whole process group: the server drains and then stops its workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    frame_in, frame_out = _protect_channel()
    _watch_parent()
    entry = context = info = None
    while True:
        try:
            message = read_frame(frame_in)
        except ChannelClosed:
            return
        kind = message.get("type")
        if kind == "load":
            try:
                entry, context = _load(message)
                info = {"name": message["modelName"], "version": message.get("modelVersion", "1.0")}
                write_frame(frame_out, {"type": "ready", "python": sys.version.split()[0], "executable": sys.executable, "entry": entry.description})
            except LoadError as error:
                write_frame(frame_out, {"type": "load-failed", "error": {"code": error.code, "message": error.message, "cause": error.detail or error.message}})
            except BaseException as error:  # a bug of ours or a broken message: report it, then stop
                text = traceback.format_exc()
                write_frame(frame_out, {"type": "load-failed", "error": {"code": "MODEL_LOAD_FAILED", "message": "%s: %s\n%s" % (type(error).__name__, error, text), "cause": text}})
                return
        elif kind == "batch":
            if entry is None:
                raise RuntimeError("batch before a successful load")
            responses = predict(entry, context, message["requests"], info)
            write_frame(frame_out, {"type": "result", "id": message["id"], "responses": responses})
        elif kind == "close":
            return
        else:
            raise ValueError("unknown message type %r" % (kind,))
