"""Handler string -> entry point and initialisation, as MMS's ``MmsModelLoader.load`` and TorchServe's
``TsModelLoader.load`` resolve it (mms/model_loader.py, ts/model_loader.py, Apache-2.0; docs/anchors.md §4.2 of this
project records what the real loaders do):

1. ``module[:function]``: the Node side splits it with core's ``parseHandlerString`` (the builder's and the linter's
   rule; for ordinary strings the same as the reference loaders' split at the colon) and sends both parts; here a
   trailing ``.py`` is dropped and only the part after the last ``/`` kept.
2. ``importlib.import_module(module)`` with the model folder on ``sys.path`` (dotted names work).
3. The function defaults to ``handle``. If the module has it: function mode, initialised by ``entry(None, context)``.
4. Otherwise class mode: exactly one class defined in the module, instantiated with no arguments, entry ``handle``,
   initialised by ``initialize(context)``.

Where this differs, on purpose: an import or initialise failure is reported with its full traceback and fails the
load (MMS swallows ``initialize`` errors); TorchServe's built-in handlers (``ts.torch_handler.*``) are not available;
a class without ``handle`` but with ``inference`` runs ``preprocess`` -> ``inference`` -> ``postprocess`` (the
composition of TorchServe's ``BaseHandler.handle``; the reference loaders refuse such a class); ``initialize`` is
optional on a class.
"""

import importlib
import inspect
import traceback


class LoadError(Exception):
    """A load failure with a stable error code of the Node side (HANDLER_*)."""

    def __init__(self, code, message, detail=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.detail = detail


def module_name_of(module):
    """The importable name of a handler's module part, as the reference loaders cut it: ``.py`` dropped, the part
    after the last ``/`` kept."""
    if module.endswith(".py"):
        module = module[:-3]
    return module.split("/")[-1]


def _hint(error):
    if isinstance(error, ModuleNotFoundError) and error.name:
        return (
            "; install %r for this interpreter (Debian: apt-get install python3-%s; else pip install %s) or choose "
            "one that has it with --python or $PYTHON"
            % (error.name, error.name.split(".")[0].lower(), error.name.split(".")[0])
        )
    return ""


def import_handler_module(module_name):
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name == module_name or (error.name and module_name.startswith(error.name + ".")):
            raise LoadError(
                "HANDLER_MODULE_NOT_FOUND",
                "Handler module %s is not in the model folder nor importable (%s: %s). TorchServe's built-in "
                "handlers (ts.torch_handler.*) are not available here." % (module_name, type(error).__name__, error),
            )
        text = traceback.format_exc()
        raise LoadError(
            "HANDLER_IMPORT_FAILED",
            "Importing handler module %s failed: %s: %s%s\n%s" % (module_name, type(error).__name__, error, _hint(error), text),
            text,
        )
    except BaseException as error:  # a SyntaxError, an exception at import time, even SystemExit
        text = traceback.format_exc()
        raise LoadError(
            "HANDLER_IMPORT_FAILED",
            "Importing handler module %s failed: %s: %s\n%s" % (module_name, type(error).__name__, error, text),
            text,
        )


def _module_classes(module):
    return [member for _, member in inspect.getmembers(module, inspect.isclass) if member.__module__ == module.__name__]


def _pipeline(instance):
    """``handle`` of a class that only has the steps: preprocess -> inference -> postprocess."""
    preprocess = getattr(instance, "preprocess", None)
    postprocess = getattr(instance, "postprocess", None)

    def handle(data, context):
        value = preprocess(data) if callable(preprocess) else data
        value = instance.inference(value)
        return postprocess(value) if callable(postprocess) else value

    return handle


class Entry:
    """The resolved entry point: ``handle(data, context)`` plus how to initialise it."""

    def __init__(self, description, handle, initialize):
        self.description = description
        self.handle = handle
        self.initialize = initialize


def resolve_entry(module, module_name, function_name):
    name = function_name or "handle"
    if hasattr(module, name):
        entry = getattr(module, name)
        if not callable(entry):
            raise LoadError("HANDLER_INVALID", "%s:%s is a %s, not a function" % (module_name, name, type(entry).__name__))
        return Entry("%s:%s (function)" % (module_name, name), entry, lambda context: entry(None, context))
    classes = _module_classes(module)
    if len(classes) != 1:
        # The reference loaders' message, then ours: a misspelt function lands here too.
        missing = "" if function_name is None else " (it has no function %r)" % function_name
        raise LoadError(
            "HANDLER_INVALID" if function_name is None else "HANDLER_FUNCTION_NOT_FOUND",
            "Expected only one class in custom service code or a function entry point %s: module %s%s"
            % (classes, module_name, missing),
        )
    cls = classes[0]
    try:
        instance = cls()
    except BaseException as error:
        text = traceback.format_exc()
        raise LoadError(
            "HANDLER_INIT_FAILED", "Creating %s.%s() failed: %s: %s\n%s" % (module_name, cls.__name__, type(error).__name__, error, text), text
        )
    handle = getattr(instance, "handle", None)
    description = "%s.%s (class)" % (module_name, cls.__name__)
    if not callable(handle):
        if not callable(getattr(instance, "inference", None)):
            raise LoadError("HANDLER_INVALID", "Expect handle method in class %s (or inference, with optional preprocess and postprocess)" % cls)
        handle = _pipeline(instance)
        description = "%s.%s (class: preprocess/inference/postprocess)" % (module_name, cls.__name__)
    initialize = getattr(instance, "initialize", None)
    return Entry(description, handle, initialize if callable(initialize) else (lambda context: None))


def load_entry(module_part, function_name, context):
    """Imports, resolves and initialises the handler; raises LoadError."""
    module_name = module_name_of(module_part)
    module = import_handler_module(module_name)
    entry = resolve_entry(module, module_name, function_name)
    try:
        entry.initialize(context)
    except BaseException as error:
        text = traceback.format_exc()
        raise LoadError(
            "HANDLER_INIT_FAILED",
            "initialize() of handler %s failed: %s: %s%s\n%s" % (entry.description, type(error).__name__, error, _hint(error), text),
            text,
        )
    return entry
