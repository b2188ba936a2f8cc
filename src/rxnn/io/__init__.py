"""Reading and writing rxnn files.

The readers and writers the user guide lists are importable from here,
``from rxnn.io import write_sbml, read_sbml``; each is imported on first use
(PEP 562), so ``import rxnn.io`` pulls in nothing else (no libSBML, antimony
or onnx until a function that needs one is asked for). The modules can also
be imported explicitly (e.g. ``from rxnn.io.model_file import load_model``).

========================================  ================================
names                                     module
========================================  ================================
``read_network``, ``write_network``       :mod:`rxnn.io.formats` (by extension)
``read_sbml``, ``write_sbml``             :mod:`rxnn.io.sbml`
``read_antimony``, ``write_antimony``     :mod:`rxnn.io.antimony`
``read_json``, ``write_json``             :mod:`rxnn.io.json_format`
``load_model``, ``save_model``            :mod:`rxnn.io.model_file`
``read_onnx``, ``write_onnx``             :mod:`rxnn.io.onnx`
========================================  ================================

Examples
--------
>>> from rxnn.io import write_sbml, read_sbml
>>> import rxnn.io.sbml
>>> write_sbml is rxnn.io.sbml.write_sbml
True
"""

from __future__ import annotations

import importlib
from typing import Any

#: Public name -> the module that defines it (imported on first use).
_EXPORTS = {
    "read_network": "rxnn.io.formats",
    "write_network": "rxnn.io.formats",
    "read_sbml": "rxnn.io.sbml",
    "write_sbml": "rxnn.io.sbml",
    "read_antimony": "rxnn.io.antimony",
    "write_antimony": "rxnn.io.antimony",
    "read_json": "rxnn.io.json_format",
    "write_json": "rxnn.io.json_format",
    "load_model": "rxnn.io.model_file",
    "save_model": "rxnn.io.model_file",
    "read_onnx": "rxnn.io.onnx",
    "write_onnx": "rxnn.io.onnx",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value  # later lookups skip this function
        return value
    raise AttributeError(f"module 'rxnn.io' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
