"""Python worker of @model-archiver/runtime: runs MMS/TorchServe-style Python handlers for model-archiver.

Started as ``python3 -m model_archiver_worker`` with the model folder as the working directory. It reads length-prefixed
frames on stdin and writes them on stdout (see ``frames.py``); everything a handler prints goes to stderr. Standard
library only; Python >= 3.9.
"""
