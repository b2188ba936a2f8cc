"""Root pytest configuration: the doctests of src/rxnn read MNIST from the local mirror when there is one.

``make test`` runs the Examples sections of every module (``--doctest-modules src/rxnn``). The MNIST
loader's example reads the user cache or fetches the data; beside a checkout with ``../shared/data``
(CI, developers' machines) it reads that mirror instead, through ``RXNN_DATA``, as a user would.
"""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parent.parent / "shared" / "data"


@pytest.fixture(autouse=True)
def _doctest_mnist_mirror(request, monkeypatch):
    if isinstance(request.node, pytest.DoctestItem) and (SHARED_DATA / "mnist").is_dir():
        monkeypatch.setenv("RXNN_DATA", str(SHARED_DATA))
    yield
