"""ONNX models of feed-forward networks (extra ``onnx``): :func:`read_onnx`, :func:`write_onnx`.

A readable graph is an MLP (§3.2): one input, one output, and per layer a
linear map followed by one activation, the same in every layer:

* linear: ``Gemm`` (any ``alpha``, ``beta``, ``transB``; ``transA = 0``), or
  ``MatMul`` optionally followed by ``Add`` of a constant bias;
* activation: ``Relu``, ``Sigmoid``, rxnn's custom ops ``rxnn::SmoothReLU``
  (attribute ``h``) and ``rxnn::PolynomialActivation`` (``q``, ``h``), or any
  chain of element-wise ops that computes the smoothed ReLU of eq. (4).

The element-wise chain is recognised by its values, not its shape: it is
evaluated in float64 on probe points (:mod:`rxnn.io._onnx_elementwise`),
h is read off phi(0) = sqrt(h) (and snapped to c, c/2 or c/4 for a scalar
constant c of the chain within 1e-12 of it, so that h = 0.01 reads back as
0.01 and not one ulp off), and the chain is accepted when it equals
(y + sqrt(y^2 + 4h)) / 2 within :data:`MATCH_TOL` (relative, floor 1) at
every probe. Anything else is refused by node name and operator. Files are
data: tensors stored in external files are refused (no other file is read),
and the file size is bounded (``max_bytes``).

:func:`write_onnx` writes float64 graphs (Gemm with ``transB = 1``) that
``onnxruntime`` runs; the smoothed ReLU goes out as the element-wise chain
``Where(y < 0, 2h / (s - y), (y + s) / 2)``, s = sqrt(y^2 + 4h) (default), or
as rxnn's custom op. PolynomialActivation with q >= 3 has no closed form and
only the custom op.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from rxnn._files import atomic_output
from rxnn._validation import check_int, must_be
from rxnn.errors import RxnnError
from rxnn.io._onnx_elementwise import evaluate_chain
from rxnn.nn import Activation, FeedForwardNetwork, PolynomialActivation, ReLU, Sigmoid, SmoothReLU

__all__ = ["OnnxError", "read_onnx", "write_onnx", "network_from_onnx", "network_to_onnx", "ONNX_DOMAIN",
           "ACTIVATION_FORMS", "MATCH_TOL", "DEFAULT_MAX_BYTES"]

ONNX_DOMAIN = "rxnn"
"""Domain of rxnn's custom activation ops (the same as :data:`rxnn.torch.ONNX_DOMAIN`)."""

ACTIVATION_FORMS = ("elementwise", "custom")
"""How :func:`write_onnx` writes a smoothed ReLU."""

MATCH_TOL = 1e-9
"""Tolerance of the element-wise recognition: float64 evaluation of eq. (4) in either form
differs from rxnn's by ~1e-16 relative, a float32 graph by ~1e-7 at most in h (h is read from it)."""

DEFAULT_MAX_BYTES = 512 * 2**20
"""Largest ONNX file :func:`read_onnx` reads by default (a 784-40-10 float64 model is ~250 kB)."""

_PROBES = np.concatenate([np.linspace(-30.0, 30.0, 121), [-1e3, -1e2, 1e2, 1e3]])
_LINEAR = ("Gemm", "MatMul")


class OnnxError(RxnnError, ValueError):
    """An ONNX model that is not a readable MLP, or a network that cannot be written as one.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "net.onnx")
    >>> with open(path, "wb") as f:
    ...     _ = f.write(b"not onnx")
    >>> try:
    ...     read_onnx(path)
    ... except OnnxError as exc:
    ...     print(isinstance(exc, ValueError))
    True
    """


def _onnx() -> Any:
    try:
        import onnx
    except ImportError:
        raise OnnxError("rxnn.io.onnx needs the onnx package: pip install rxnn[onnx]") from None
    return onnx


def _attributes(node: Any) -> dict[str, Any]:
    onnx = _onnx()
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _where(node: Any) -> str:
    return f"node {node.name or node.output[0]!r} ({(node.domain + '::') if node.domain else ''}{node.op_type})"


class _Reader:
    """One pass over the nodes in topological order, layer by layer."""

    def __init__(self, model: Any, source: str) -> None:
        onnx = _onnx()
        self.source, graph = source, model.graph
        self.constants: dict[str, np.ndarray] = {}
        for tensor in graph.initializer:
            if tensor.data_location == onnx.TensorProto.EXTERNAL:
                raise OnnxError(f"{source}: initializer {tensor.name!r} is stored in an external file; "
                                "rxnn reads only the model file itself (save the model with the data embedded)")
            self.constants[tensor.name] = onnx.numpy_helper.to_array(tensor).astype(np.float64)
        inputs = [i.name for i in graph.input if i.name not in self.constants]
        if len(inputs) != 1 or len(graph.output) != 1:
            raise OnnxError(f"{source}: an MLP graph has one input and one output; got inputs {inputs} "
                            f"and outputs {[o.name for o in graph.output]}")
        self.nodes, self.output = list(graph.node), graph.output[0].name
        self.current = inputs[0]
        self.weights: list[np.ndarray] = []
        self.biases: list[np.ndarray] = []
        self.activations: list[Activation] = []

    def constant(self, name: str, node: Any) -> np.ndarray:
        if name not in self.constants:
            raise OnnxError(f"{self.source}: {_where(node)} takes {name!r}, which is not a constant; "
                            "weights and biases must be initializers or Constant nodes")
        return self.constants[name]

    def linear(self, node: Any, following: Any) -> bool:
        """Read a Gemm or MatMul (+ Add) layer; return whether ``following`` (an Add) was its bias."""
        if node.input[0] != self.current:
            raise OnnxError(f"{self.source}: {_where(node)} does not take the previous layer's output "
                            f"{self.current!r}; only chains of layers are MLPs")
        b_matrix = self.constant(node.input[1], node)
        used_add = False
        if node.op_type == "Gemm":
            attrs = _attributes(node)
            if attrs.get("transA", 0):
                raise OnnxError(f"{self.source}: {_where(node)} has transA = 1; the batch must be the first axis")
            b_matrix = b_matrix if attrs.get("transB", 0) else b_matrix.T
            weight = float(attrs.get("alpha", 1.0)) * b_matrix
            bias = (float(attrs.get("beta", 1.0)) * self.constant(node.input[2], node)
                    if len(node.input) > 2 and node.input[2] else np.zeros(weight.shape[0]))
        else:
            weight, bias = b_matrix.T, np.zeros(b_matrix.shape[-1])
            if (following is not None and following.op_type == "Add" and node.output[0] in following.input
                    and any(n in self.constants for n in following.input)):
                other = [n for n in following.input if n != node.output[0]][0]
                bias, used_add = self.constant(other, following), True
        if weight.ndim != 2:
            raise OnnxError(f"{self.source}: {_where(node)} has a weight of shape {weight.shape}; expected a matrix")
        try:
            bias = np.broadcast_to(np.asarray(bias, dtype=np.float64).reshape(-1), (weight.shape[0],)).copy()
        except ValueError:
            raise OnnxError(f"{self.source}: {_where(node)} has a bias of shape {np.shape(bias)} for "
                            f"{weight.shape[0]} outputs") from None
        self.weights.append(weight)
        self.biases.append(bias)
        self.current = (following if used_add else node).output[0]
        return used_add

    def named_activation(self, node: Any) -> Activation | None:
        attrs = _attributes(node)
        if node.domain in ("", "ai.onnx") and node.op_type == "Relu":
            return ReLU()
        if node.domain in ("", "ai.onnx") and node.op_type == "Sigmoid":
            return Sigmoid()
        if node.domain == ONNX_DOMAIN and node.op_type == "SmoothReLU":
            return SmoothReLU(float(attrs.get("h", 1.0)))
        if node.domain == ONNX_DOMAIN and node.op_type == "PolynomialActivation":
            return PolynomialActivation(int(attrs.get("q", 3)), float(attrs.get("h", 1.0)))
        return None

    def chain(self, chain: list[Any], end: str) -> Activation:
        """The smoothed ReLU computed by the element-wise ``chain`` from ``self.current`` to ``end``."""
        layer = len(self.weights)
        if not chain:
            raise OnnxError(f"{self.source}: layer {layer} has no activation before the next linear map; "
                            "the network of §3.2 applies phi after every linear map")
        try:
            values = evaluate_chain(chain, self.current, end, self.constants, _PROBES)
            h = float(evaluate_chain(chain, self.current, end, self.constants, np.zeros(1))[0]) ** 2
        except (KeyError, ValueError) as exc:
            names = ", ".join(_where(n) for n in chain)
            raise OnnxError(f"{self.source}: the activation of layer {layer} ({names}) uses {exc}, which rxnn "
                            "does not read; use Relu, rxnn::SmoothReLU or an element-wise chain") from None
        h = self.exact_h(chain, h)
        reference = SmoothReLU(h)(_PROBES) if np.isfinite(h) else np.full(_PROBES.shape, np.nan)
        deviation = np.abs(values - reference) / np.maximum(1.0, np.abs(reference))
        if not np.all(deviation <= MATCH_TOL):
            worst = int(np.nanargmax(np.where(np.isfinite(deviation), deviation, np.inf)))
            raise OnnxError(
                f"{self.source}: the element-wise activation of layer {layer} ({len(chain)} nodes ending in "
                f"{end!r}) is not the smoothed ReLU of eq. (4) for any h: at y = {_PROBES[worst]:g} it gives "
                f"{values[worst]:.6g} but (y + sqrt(y^2 + 4h)) / 2 with h = phi(0)^2 = {h:.6g} is {reference[worst]:.6g}"
            )
        return SmoothReLU(h)

    def exact_h(self, chain: list[Any], estimate: float) -> float:
        """h as the graph spells it: c, c/2 or c/4 for a scalar constant c of the chain within 1e-12 of phi(0)^2.

        phi(0)^2 itself carries the rounding of a square root and a square (a few ulp).
        """
        if not np.isfinite(estimate):
            return estimate
        scalars = [float(self.constants[n].reshape(-1)[0]) for node in chain for n in node.input
                   if n in self.constants and self.constants[n].size == 1]
        candidates = [c / k for c in scalars for k in (1.0, 2.0, 4.0) if c >= 0]
        close = [c for c in candidates if abs(c - estimate) <= 1e-12 * max(estimate, 1e-300)]
        return min(close, key=lambda c: abs(c - estimate)) if close else estimate

    def read(self) -> FeedForwardNetwork:
        expecting_linear, pending, skip = True, [], False
        for k, node in enumerate(self.nodes):
            if skip:
                skip = False
                continue
            if node.op_type == "Constant" and node.domain in ("", "ai.onnx"):
                self.constants[node.output[0]] = np.asarray(_onnx().numpy_helper.to_array(node.attribute[0].t)
                                                            if node.attribute[0].name == "value"
                                                            else _attributes(node)[node.attribute[0].name],
                                                            dtype=np.float64)
                continue
            is_linear = node.op_type in _LINEAR and node.domain in ("", "ai.onnx")
            if expecting_linear:
                if not is_linear:
                    raise OnnxError(f"{self.source}: {_where(node)} where layer {len(self.weights) + 1}'s linear "
                                    "map (Gemm, or MatMul + Add) was expected")
                following = self.nodes[k + 1] if k + 1 < len(self.nodes) else None
                skip = self.linear(node, following)
                expecting_linear = False
                continue
            named = self.named_activation(node) if not pending else None
            if named is not None:
                if node.input[0] != self.current:
                    raise OnnxError(f"{self.source}: {_where(node)} does not take {self.current!r}")
                self.activations.append(named)
                self.current, expecting_linear = node.output[0], True
            elif is_linear:
                self.activations.append(self.chain(pending, node.input[0]))
                self.current, pending = node.input[0], []
                following = self.nodes[k + 1] if k + 1 < len(self.nodes) else None
                skip = self.linear(node, following)
            else:
                pending.append(node)
        if not expecting_linear:
            self.activations.append(self.chain(pending, self.output))
            self.current = self.output
        if not self.weights:
            raise OnnxError(f"{self.source}: the graph has no linear layer (Gemm or MatMul)")
        if self.current != self.output:
            raise OnnxError(f"{self.source}: the graph's output {self.output!r} is not the last layer's "
                            f"activation {self.current!r}")
        distinct = sorted({repr(a) for a in self.activations})
        if len(distinct) > 1:
            raise OnnxError(f"{self.source}: the layers use different activations {distinct}; "
                            "a FeedForwardNetwork has one phi")
        try:
            return FeedForwardNetwork(self.weights, self.biases, self.activations[0])
        except ValueError as exc:
            raise OnnxError(f"{self.source}: {exc}") from None


def network_from_onnx(model: Any, *, source: str = "ONNX model") -> FeedForwardNetwork:
    """The :class:`FeedForwardNetwork` of an ``onnx.ModelProto`` (rules in the module docstring).

    Examples
    --------
    >>> from rxnn.nn import FeedForwardNetwork, SmoothReLU
    >>> net = FeedForwardNetwork.random([3, 4, 2], SmoothReLU(1.0), seed=0)
    >>> network_from_onnx(network_to_onnx(net)) == net
    True
    """
    return _Reader(model, source).read()


def read_onnx(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> FeedForwardNetwork:
    """Read an MLP from an ONNX file.

    Parameters
    ----------
    path : str or path-like
    max_bytes : int, default :data:`DEFAULT_MAX_BYTES`
        Refuse larger files (bounded memory).

    Returns
    -------
    FeedForwardNetwork

    Raises
    ------
    OnnxError
        If the file is missing, too large, not ONNX, or not an MLP of the
        supported ops (the message names the node and its operator).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from rxnn.nn import FeedForwardNetwork, SmoothReLU
    >>> net = FeedForwardNetwork.random([3, 4, 2], SmoothReLU(1.0), seed=0)
    >>> path = write_onnx(net, pathlib.Path(tempfile.mkdtemp()) / "net.onnx")
    >>> read_onnx(path) == net
    True
    """
    onnx = _onnx()
    max_bytes = check_int(max_bytes, "max_bytes", "read_onnx", minimum=1)
    p = Path(path)
    if not p.is_file():
        raise OnnxError(f"{p}: no such ONNX file")
    size = p.stat().st_size
    if size > max_bytes:
        raise OnnxError(f"{p}: {size} bytes exceeds max_bytes = {max_bytes}; pass a larger max_bytes to read it")
    model = onnx.ModelProto()
    try:
        model.ParseFromString(p.read_bytes())
    except Exception as exc:  # protobuf's DecodeError and friends
        raise OnnxError(f"{p}: not an ONNX model ({type(exc).__name__}: {exc})") from None
    return network_from_onnx(model, source=str(p))


def _activation_nodes(activation: Activation, z: str, a: str, layer: int, form: str) -> tuple[list[Any], list[Any], bool]:
    """(nodes, initializers, uses_custom_domain) computing a = phi(z)."""
    helper, numpy_helper = _onnx().helper, _onnx().numpy_helper
    if isinstance(activation, ReLU):
        return [helper.make_node("Relu", [z], [a], name=f"relu{layer}")], [], False
    if isinstance(activation, Sigmoid):
        return [helper.make_node("Sigmoid", [z], [a], name=f"sigmoid{layer}")], [], False
    q, h = (2, activation.h) if isinstance(activation, SmoothReLU) else (activation.q, activation.h)
    if form == "custom" or q > 2:
        if form != "custom":
            raise OnnxError(f"PolynomialActivation(q={q}) has no closed form, so no element-wise ONNX form; "
                            "use activation_form='custom' (rxnn::PolynomialActivation)")
        if q == 2:
            return [helper.make_node("SmoothReLU", [z], [a], domain=ONNX_DOMAIN, h=float(h), name=f"phi{layer}")], [], True
        return [helper.make_node("PolynomialActivation", [z], [a], domain=ONNX_DOMAIN, q=int(q), h=float(h),
                                 name=f"phi{layer}")], [], True
    p = f"l{layer}_"
    consts = {"four_h": 4.0 * h, "two_h": 2.0 * h, "half": 0.5, "zero": 0.0, "one": 1.0}
    inits = [numpy_helper.from_array(np.array(v, dtype=np.float64), p + k) for k, v in consts.items()]
    names = [p + s for s in ("yy", "r", "s", "neg", "sum", "pos", "gap", "gap1", "ratio")]
    yy, r, s, neg, total, pos, gap, gap1, ratio = names
    nodes = [
        helper.make_node("Mul", [z, z], [yy]), helper.make_node("Add", [yy, p + "four_h"], [r]),
        helper.make_node("Sqrt", [r], [s]), helper.make_node("Less", [z, p + "zero"], [neg]),
        helper.make_node("Add", [z, s], [total]), helper.make_node("Mul", [total, p + "half"], [pos]),
        helper.make_node("Sub", [s, z], [gap]),
        # where y >= 0 the gap is only a placeholder: keep it nonzero so the unused branch is finite
        helper.make_node("Where", [neg, gap, p + "one"], [gap1]),
        helper.make_node("Div", [p + "two_h", gap1], [ratio]),
        helper.make_node("Where", [neg, ratio, pos], [a]),
    ]
    return nodes, inits, False


def network_to_onnx(network: FeedForwardNetwork, *, activation_form: str = "elementwise", opset: int = 17) -> Any:
    """The ``onnx.ModelProto`` of ``network`` (float64; input ``d`` (batch, c_0), output ``a`` (batch, c_m)).

    Examples
    --------
    >>> from rxnn.nn import FeedForwardNetwork, SmoothReLU
    >>> model = network_to_onnx(FeedForwardNetwork.random([3, 2], SmoothReLU(1.0), seed=0))
    >>> [i.name for i in model.graph.input], [o.name for o in model.graph.output]
    (['d'], ['a'])
    """
    onnx = _onnx()
    helper, numpy_helper = onnx.helper, onnx.numpy_helper
    if not isinstance(network, FeedForwardNetwork):
        raise must_be("network", "write_onnx", "a FeedForwardNetwork", type(network).__name__)
    if activation_form not in ACTIVATION_FORMS:
        raise must_be("activation_form", "write_onnx", "one of " + ", ".join(map(repr, ACTIVATION_FORMS)), activation_form)
    opset = check_int(opset, "opset", "write_onnx", minimum=13)
    nodes, inits, custom, current = [], [], False, "d"
    for layer, (w, b) in enumerate(zip(network.weights, network.biases), start=1):
        inits += [numpy_helper.from_array(np.array(w), f"W{layer}"), numpy_helper.from_array(np.array(b), f"b{layer}")]
        z = f"z{layer}"
        nodes.append(helper.make_node("Gemm", [current, f"W{layer}", f"b{layer}"], [z], transB=1, name=f"linear{layer}"))
        out = "a" if layer == network.n_layers else f"a{layer}"
        more_nodes, more_inits, uses = _activation_nodes(network.activation, z, out, layer, activation_form)
        nodes += more_nodes
        inits += more_inits
        custom |= uses
        current = out
    sizes = network.layer_sizes
    graph = helper.make_graph(
        nodes, "rxnn_feed_forward",
        [helper.make_tensor_value_info("d", onnx.TensorProto.DOUBLE, ["batch", sizes[0]])],
        [helper.make_tensor_value_info("a", onnx.TensorProto.DOUBLE, ["batch", sizes[-1]])],
        inits,
    )
    opsets = [helper.make_opsetid("", opset)] + ([helper.make_opsetid(ONNX_DOMAIN, 1)] if custom else [])
    model = helper.make_model(graph, opset_imports=opsets, producer_name="rxnn")
    model.ir_version = min(model.ir_version, 10)  # readable by older runtimes too
    onnx.checker.check_model(model)
    return model


def write_onnx(network: FeedForwardNetwork, path: str | os.PathLike[str], *, activation_form: str = "elementwise",
               opset: int = 17) -> Path:
    """Write ``network`` as an ONNX model.

    Parameters
    ----------
    network : FeedForwardNetwork
    path : str or path-like
        Written atomically (:func:`rxnn._files.atomic_output`).
    activation_form : {"elementwise", "custom"}, default "elementwise"
        The smoothed ReLU as standard ops (runs in any ONNX runtime) or as
        ``rxnn::SmoothReLU``. ReLU and Sigmoid are always ``Relu``/``Sigmoid``;
        PolynomialActivation (q >= 3) needs ``"custom"``.
    opset : int, default 17
        Default-domain opset (>= 13).

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    OnnxError
        For a PolynomialActivation (q >= 3) with ``activation_form="elementwise"``.
    InvalidArgumentError
        For a bad ``activation_form`` or ``opset``.
    OutputPathError
        If ``path`` cannot be written.

    Examples
    --------
    >>> import os, tempfile
    >>> from rxnn.nn import FeedForwardNetwork, SmoothReLU
    >>> net = FeedForwardNetwork.random([3, 2], SmoothReLU(1.0), seed=0)
    >>> read_onnx(write_onnx(net, os.path.join(tempfile.mkdtemp(), "net.onnx"))) == net
    True
    """
    model = network_to_onnx(network, activation_form=activation_form, opset=opset)
    with atomic_output(path, "wb", what="ONNX model path") as f:
        f.write(model.SerializeToString())
    return Path(path)
