"""Length-prefixed frames: a 4-byte big-endian header length, a UTF-8 JSON header ``{"m": message, "b": [sizes]}``,
then the binary payloads back to back. Byte values of the message travel as payloads, referenced in the JSON by
``{"__frame_blob__": index}`` (no base64). The TypeScript side is ``src/python/frames.ts``.
"""

import json
import os
import struct

BLOB_KEY = "__frame_blob__"
MAX_HEADER = 64 * 1024 * 1024


class ChannelClosed(Exception):
    """The server closed its end of the pipe."""


def _read_exact(fd, size):
    chunks = []
    while size > 0:
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            raise ChannelClosed()
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _is_blob_ref(value, count):
    if len(value) != 1 or BLOB_KEY not in value:
        return False
    index = value[BLOB_KEY]
    return isinstance(index, int) and 0 <= index < count


def _revive(value, blobs):
    if isinstance(value, list):
        return [_revive(item, blobs) for item in value]
    if isinstance(value, dict):
        if _is_blob_ref(value, len(blobs)):
            return blobs[value[BLOB_KEY]]
        return {key: _revive(item, blobs) for key, item in value.items()}
    return value


def read_frame(fd):
    """Reads one message; raises ChannelClosed at end of input."""
    (length,) = struct.unpack(">I", _read_exact(fd, 4))
    if length > MAX_HEADER:
        raise ValueError("frame header of %d bytes is over the limit" % length)
    header = json.loads(_read_exact(fd, length).decode("utf-8"))
    sizes = header.get("b", [])
    data = _read_exact(fd, sum(sizes)) if sizes else b""
    blobs = []
    offset = 0
    for size in sizes:
        blobs.append(data[offset:offset + size])
        offset += size
    return _revive(header.get("m"), blobs)


def _extract(value, blobs):
    if isinstance(value, (bytes, bytearray, memoryview)):
        blobs.append(bytes(value))
        return {BLOB_KEY: len(blobs) - 1}
    if isinstance(value, (list, tuple)):
        return [_extract(item, blobs) for item in value]
    if isinstance(value, dict):
        return {key: _extract(item, blobs) for key, item in value.items()}
    return value


def write_frame(stream, message):
    """Writes one message to a binary stream and flushes it."""
    blobs = []
    body = _extract(message, blobs)
    header = json.dumps({"m": body, "b": [len(blob) for blob in blobs]}, separators=(",", ":")).encode("utf-8")
    stream.write(struct.pack(">I", len(header)))
    stream.write(header)
    for blob in blobs:
        stream.write(blob)
    stream.flush()
