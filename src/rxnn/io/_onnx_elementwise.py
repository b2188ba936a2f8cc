"""A small numpy evaluator for element-wise ONNX subgraphs, to recognise activations by their values.

An exporter may write the smoothed ReLU of eq. (4) as a chain of element-wise
ops (Mul, Add, Sqrt, ...) instead of rxnn's custom op. :func:`evaluate_chain`
runs such a chain on probe points in float64; :mod:`rxnn.io.onnx` then
compares the values with phi(y) = (y + sqrt(y^2 + 4h)) / 2. Only the
element-wise operators of :data:`ELEMENTWISE_OPS` are interpreted; the
graph is data, never code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["ELEMENTWISE_OPS", "evaluate_chain"]

_FLOAT_TYPES = {1, 10, 11, 16}  # onnx.TensorProto FLOAT, FLOAT16, DOUBLE, BFLOAT16


def _pow(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        return np.power(a, b)


def _safe(fn: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
    def wrapped(*args: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            return fn(*args)
    return wrapped


ELEMENTWISE_OPS: dict[str, Callable[..., np.ndarray]] = {
    "Add": np.add,
    "Sub": np.subtract,
    "Mul": np.multiply,
    "Div": _safe(np.divide),
    "Sqrt": _safe(np.sqrt),
    "Neg": np.negative,
    "Abs": np.abs,
    "Pow": _pow,
    "Reciprocal": _safe(np.reciprocal),
    "Exp": _safe(np.exp),
    "Log": _safe(np.log),
    "Relu": lambda a: np.maximum(a, 0.0),
    "Max": np.maximum,
    "Min": np.minimum,
    "Less": np.less,
    "Greater": np.greater,
    "LessOrEqual": np.less_equal,
    "GreaterOrEqual": np.greater_equal,
    "Where": np.where,
    "Identity": lambda a: a,
}
"""The ONNX operators (default domain) that :func:`evaluate_chain` interprets, each element-wise."""


def evaluate_chain(
    nodes: Sequence[Any], start: str, end: str, constants: Mapping[str, np.ndarray], y: np.ndarray,
) -> np.ndarray:
    """Values of tensor ``end`` when tensor ``start`` holds ``y``, through the element-wise ``nodes``.

    Parameters
    ----------
    nodes : sequence of onnx.NodeProto
        In topological order; each of :data:`ELEMENTWISE_OPS` or a ``Cast`` to a float type
        (evaluated in float64 all the same).
    start, end : str
        Tensor names.
    constants : mapping of str to ndarray
        Initializers and Constant outputs, scalars or broadcastable.
    y : ndarray
        Probe values of ``start``.

    Returns
    -------
    ndarray of the shape of ``y``

    Raises
    ------
    KeyError
        Naming a tensor that is neither computed nor constant.
    ValueError
        Naming an operator outside the set (or a Cast to a non-float type).
    """
    values: dict[str, np.ndarray] = {start: np.asarray(y, dtype=np.float64)}

    def get(name: str) -> np.ndarray:
        if name in values:
            return values[name]
        if name in constants:
            return np.asarray(constants[name], dtype=np.float64)
        raise KeyError(name)

    for node in nodes:
        if node.op_type == "Cast":
            to = next((a.i for a in node.attribute if a.name == "to"), None)
            if to not in _FLOAT_TYPES:
                raise ValueError(f"Cast to type {to} (node {node.name or node.output[0]!r})")
            values[node.output[0]] = get(node.input[0])
            continue
        fn = ELEMENTWISE_OPS.get(node.op_type) if node.domain in ("", "ai.onnx") else None
        if fn is None:
            raise ValueError(f"operator {node.domain + '::' if node.domain else ''}{node.op_type} "
                             f"(node {node.name or node.output[0]!r})")
        result = fn(*(get(name) for name in node.input))
        values[node.output[0]] = np.asarray(result, dtype=np.float64)
    out = get(end)
    return np.broadcast_to(out, np.shape(y)).astype(np.float64)
