"""Fuzzing model files: any mutation of a valid .npz (stored or deflated) gives a network or a ModelFileError.

Memory is the point for this reader, so besides the in-process hypothesis run
a seeded campaign of mutations runs in a subprocess under an 8 GB
address-space limit and states its peak RSS.
"""

from __future__ import annotations

import io

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from hostile_inputs import run_limited
from rxnn.io.model_file import ModelFileError, load_model
from rxnn.nn import FeedForwardNetwork, PolynomialActivation


def _archive(compressed: bool) -> bytes:
    net = FeedForwardNetwork.random([3, 2, 2], PolynomialActivation(3, 0.5), seed=1)
    arrays = {"W1": net.weights[0], "b1": net.biases[0], "W2": net.weights[1], "b2": net.biases[1],
              "activation": np.array("polynomial"), "h": np.array(0.5), "q": np.array(3)}
    buffer = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(buffer, **arrays)
    return buffer.getvalue()


ARCHIVES = {False: _archive(False), True: _archive(True)}


@st.composite
def mutations(draw):
    compressed = draw(st.booleans())
    content = bytearray(ARCHIVES[compressed])
    for _ in range(draw(st.integers(1, 6))):
        position = draw(st.integers(0, len(content) - 1))
        content[position] = draw(st.integers(0, 255))
    if draw(st.booleans()):
        content = content[: draw(st.integers(0, len(content)))]
    return bytes(content)


@settings(max_examples=300, deadline=None)
@given(mutations())
def test_mutated_model_file_gives_a_network_or_a_model_file_error(tmp_path_factory, content):
    path = tmp_path_factory.mktemp("model") / "m.npz"
    path.write_bytes(content)
    try:
        net = load_model(path)
    except ModelFileError:
        return
    assert isinstance(net, FeedForwardNetwork) and net.layer_sizes == (3, 2, 2)


def test_mutation_campaign_under_memory_limit(tmp_path):
    # 400 seeded mutations of both archive kinds, each file mutated at 1-8 bytes (header, data and
    # zip directory alike); the only exception allowed is ModelFileError, and memory stays bounded.
    for compressed, content in ARCHIVES.items():
        (tmp_path / f"valid{int(compressed)}.npz").write_bytes(content)
    outcome = run_limited(
        f"""
        import numpy as np
        from pathlib import Path
        from rxnn.io.model_file import load_model, ModelFileError
        rng = np.random.default_rng(11)
        folder = Path({str(tmp_path)!r})
        valid = [(folder / "valid0.npz").read_bytes(), (folder / "valid1.npz").read_bytes()]
        counts = {{"network": 0, "refused": 0}}
        for i in range(400):
            content = bytearray(valid[i % 2])
            for position in rng.integers(0, len(content), size=rng.integers(1, 9)):
                content[position] = int(rng.integers(0, 256))
            path = folder / "m.npz"
            path.write_bytes(bytes(content))
            try:
                load_model(path)
                counts["network"] += 1
            except ModelFileError:
                counts["refused"] += 1
        result.update(counts)
        """,
        timeout=300,
    )
    assert outcome["network"] + outcome["refused"] == 400
    assert outcome["refused"] > 200
    assert outcome["peak_rss_mb"] - outcome["baseline_rss_mb"] < 64, outcome


def test_unmutated_archives_load(tmp_path):
    # The baseline of the fuzzing: both archive kinds are valid model files.
    for compressed, content in ARCHIVES.items():
        file = tmp_path / f"m{int(compressed)}.npz"
        file.write_bytes(content)
        assert load_model(file).layer_sizes == (3, 2, 2)
