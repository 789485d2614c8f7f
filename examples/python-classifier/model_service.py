"""A custom service in the MMS style, for `model-archiver --runtime python` archives.

A softmax classifier over an image's mean colour: ``weights.npy`` holds a (4, K) float32 matrix (3 weight rows for
the mean red, green and blue in [0, 1], then the bias row) and ``synset.txt`` the K class names. Each request body is
a PNG (8-bit grey, grey+alpha, RGB or RGBA, not interlaced: decoded here with zlib and numpy); the answer is the top 5
classes, shaped as MMS's image classifiers answer: ``[{"probability": 0.93, "class": "orange"}, ...]``.

Packed, served and queried like the MMS examples:

    model-archiver --model-name colours --handler model_service:handle --model-path examples/python-classifier --runtime python
    model-server --models colours=colours.mar --disable-token-auth   # MMS had no keys; else send the inference key
    curl -X POST http://127.0.0.1:8080/predictions/colours -T examples/python-classifier/orange.png
"""

import os
import struct
import zlib

import numpy as np

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}  # PNG colour type -> samples per pixel


class UnsupportedImage(ValueError):
    """The body is not a PNG this service can read."""


def _paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def _unfilter(raw, height, stride, bpp):
    """Undoes the PNG row filters; returns a (height, stride) uint8 array."""
    out = np.zeros((height, stride), dtype=np.uint8)
    prior = np.zeros(stride, dtype=np.uint8)
    pos = 0
    for y in range(height):
        kind = raw[pos]
        row = np.frombuffer(raw, dtype=np.uint8, count=stride, offset=pos + 1).copy()
        pos += stride + 1
        if kind == 1:  # Sub: running sum per channel (uint8 wraps modulo 256)
            for c in range(bpp):
                row[c::bpp] = np.cumsum(row[c::bpp], dtype=np.uint8)
        elif kind == 2:  # Up
            row = row + prior
        elif kind in (3, 4):  # Average, Paeth: each byte depends on the one before it
            line = [int(v) for v in row]
            up = [int(v) for v in prior]
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                if kind == 3:
                    line[i] = (line[i] + ((left + up[i]) >> 1)) & 0xFF
                else:
                    upper_left = up[i - bpp] if i >= bpp else 0
                    line[i] = (line[i] + _paeth(left, up[i], upper_left)) & 0xFF
            row = np.array(line, dtype=np.uint8)
        elif kind != 0:
            raise UnsupportedImage("bad PNG filter type %d" % kind)
        out[y] = row
        prior = row
    return out


def decode_png(data):
    """PNG bytes -> (height, width, 3) float32 RGB in [0, 1]."""
    if not isinstance(data, (bytes, bytearray)) or not data.startswith(PNG_SIGNATURE):
        raise UnsupportedImage("the body is not a PNG image")
    pos, header, idat = 8, None, []
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat.append(chunk)
        elif kind == b"IEND":
            break
    if header is None:
        raise UnsupportedImage("the PNG has no header")
    width, height, depth, colour, _, _, interlace = header
    if depth != 8 or colour not in CHANNELS or interlace != 0:
        raise UnsupportedImage("only 8-bit, non-interlaced grey/RGB(A) PNGs are supported")
    bpp = CHANNELS[colour]
    pixels = _unfilter(zlib.decompress(b"".join(idat)), height, width * bpp, bpp).reshape(height, width, bpp)
    rgb = pixels[:, :, :3] if bpp >= 3 else np.repeat(pixels[:, :, :1], 3, axis=2)
    return rgb.astype(np.float32) / 255.0


class ColourClassifierService:
    """initialize(context) loads the weights; preprocess -> inference -> postprocess answers a batch."""

    def __init__(self):
        self.initialized = False
        self.weights = None
        self.bias = None
        self.labels = []

    def initialize(self, context):
        model_dir = context.system_properties.get("model_dir")
        matrix = np.load(os.path.join(model_dir, "weights.npy"))
        with open(os.path.join(model_dir, "synset.txt"), encoding="utf-8") as f:
            self.labels = [line.strip() for line in f if line.strip()]
        if matrix.shape != (4, len(self.labels)):
            raise ValueError("weights.npy is %s; expected (4, %d)" % (matrix.shape, len(self.labels)))
        self.weights, self.bias = matrix[:3], matrix[3]
        self.initialized = True

    def preprocess(self, batch):
        """Request dicts -> (N, 3) mean colours; None for a request whose body is not a readable PNG."""
        features = []
        for request in batch:
            body = request.get("data") or request.get("body")
            try:
                features.append(decode_png(body).reshape(-1, 3).mean(axis=0))
            except (UnsupportedImage, zlib.error, struct.error) as error:
                features.append(error)
        return features

    def inference(self, features):
        """(N, 3) -> (N, K) probabilities (softmax of the linear layer)."""
        logits = np.asarray(features, dtype=np.float32) @ self.weights + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)

    def postprocess(self, probabilities, k=5):
        answers = []
        for row in probabilities:
            top = np.argsort(row)[::-1][:k]
            answers.append([{"probability": round(float(row[i]), 6), "class": self.labels[i]} for i in top])
        return answers


_service = ColourClassifierService()


def handle(data, context):
    """The entry point named by ``--handler model_service:handle``; ``data is None`` means "load the model"."""
    if not _service.initialized:
        _service.initialize(context)
    if data is None:
        return None
    features = _service.preprocess(data)
    good = [i for i, f in enumerate(features) if not isinstance(f, Exception)]
    answers = [None] * len(data)
    if good:
        top5 = _service.postprocess(_service.inference([features[i] for i in good]))
        for i, answer in zip(good, top5):
            answers[i] = answer
    for i, feature in enumerate(features):
        if isinstance(feature, Exception):
            context.set_response_status(415, "Unsupported Media Type", i)
            answers[i] = {"code": 415, "type": "UnsupportedImage", "message": str(feature)}
    return answers
