"""The ``context`` handed to handlers, with the attributes and methods of MMS's and TorchServe's ``Context``.

Follows the shape of ``mms/context.py`` (awslabs/multi-model-server) and ``ts/context.py`` (pytorch/serve), both
Apache-2.0: the same attribute names, system properties and per-request methods, so handlers written for either run
unchanged. MMS's ``set_http_response_status``/``get_http_response_status`` and TorchServe's ``set_response_status``/
``get_response_status`` are both present.
"""

import sys
import time


class RequestProcessor:
    """Request headers in, response status and headers out, for one request of a batch."""

    def __init__(self, request_header):
        self._status_code = 200
        self._reason_phrase = None
        self._response_header = {}
        self._request_header = request_header

    def get_request_property(self, key):
        return self._request_header.get(key)

    def get_request_properties(self):
        return self._request_header

    def report_status(self, code, reason_phrase=None):
        self._status_code = code
        self._reason_phrase = reason_phrase

    def get_response_status_code(self):
        return self._status_code

    def get_response_status_phrase(self):
        return self._reason_phrase

    def add_response_property(self, key, value):
        self._response_header[key] = value

    def get_response_headers(self):
        return self._response_header

    # MMS's name.
    def get_response_header(self, key=None):
        return self._response_header if key is None else self._response_header.get(key)


class Metrics:
    """``context.metrics``: the ``add_*`` calls of MMS's ``MetricsStore``, written to stderr as ``[METRICS]`` lines
    (the server log keeps them)."""

    def __init__(self, model_name):
        self.model_name = model_name
        self.request_ids = None

    def _emit(self, name, value, unit, idx=None, dimensions=None):
        request = None
        if self.request_ids is not None and idx is not None:
            request = self.request_ids.get(idx)
        dims = ["ModelName:%s" % self.model_name] + ["%s:%s" % pair for pair in (dimensions or {}).items()]
        if request is not None:
            dims.append("RequestId:%s" % request)
        sys.stderr.write("[METRICS]%s.%s:%s|#%s|#timestamp:%d\n" % (name, unit, value, ",".join(dims), int(time.time())))

    def add_counter(self, name, value, idx=None, dimensions=None):
        self._emit(name, value, "Count", idx, dimensions)

    def add_time(self, name, value, idx=None, unit="ms", dimensions=None):
        self._emit(name, value, unit, idx, dimensions)

    def add_size(self, name, value, idx=None, unit="MB", dimensions=None):
        self._emit(name, value, unit, idx, dimensions)

    def add_percent(self, name, value, idx=None, dimensions=None):
        self._emit(name, value, "Percent", idx, dimensions)

    def add_error(self, name, value, dimensions=None):
        self._emit(name, value, "Error", None, dimensions)

    def add_metric(self, name, value, unit="Count", idx=None, dimensions=None):
        self._emit(name, value, unit, idx, dimensions)


class Context:
    """Model facts fixed at load time plus the per-batch request state."""

    def __init__(self, model_name, model_dir, manifest, batch_size, gpu, server_version, flavour, model_yaml_config):
        self.model_name = model_name
        self.manifest = manifest
        # Both reference servers report "MMS" here (TorchServe never changed it).
        self._system_properties = {
            "model_dir": model_dir,
            "gpu_id": gpu,
            "batch_size": batch_size,
            "server_name": "MMS",
            "server_version": server_version,
        }
        if flavour == "torchserve":
            self._system_properties["limit_max_image_pixels"] = True
        self.model_yaml_config = model_yaml_config
        self.request_ids = None
        self._request_processor = None
        self.metrics = Metrics(model_name)

    @property
    def system_properties(self):
        return self._system_properties

    @property
    def request_processor(self):
        return self._request_processor

    @request_processor.setter
    def request_processor(self, request_processor):
        self._request_processor = request_processor

    def get_request_id(self, idx=0):
        if self.request_ids is None:
            return None
        return self.request_ids.get(idx)

    def get_request_header(self, idx, key):
        return self._request_processor[idx].get_request_property(key)

    def get_all_request_header(self, idx):
        return self._request_processor[idx].get_request_properties()

    def set_response_content_type(self, idx, value):
        self.set_response_header(idx, "content-type", value)

    def get_response_content_type(self, idx):
        if self._request_processor is None or self._request_processor[idx] is None:
            return None
        return self._request_processor[idx].get_response_headers().get("content-type")

    def set_response_status(self, code=200, phrase="", idx=0):
        if self._request_processor is not None and self._request_processor[idx] is not None:
            self._request_processor[idx].report_status(code, reason_phrase=phrase)

    def get_response_status(self, idx):
        processor = self._request_processor[idx]
        return processor.get_response_status_code(), processor.get_response_status_phrase()

    # MMS's names for the two above.
    set_http_response_status = set_response_status
    get_http_response_status = get_response_status

    def set_all_response_status(self, code=200, phrase=""):
        for processor in self._request_processor or []:
            processor.report_status(code, reason_phrase=phrase)

    def get_response_headers(self, idx):
        return self._request_processor[idx].get_response_headers()

    def set_response_header(self, idx, key, value):
        self._request_processor[idx].add_response_property(key, value)

    def get_sequence_id(self, idx):
        return self.get_request_header(idx, "ts_request_sequence_id")
