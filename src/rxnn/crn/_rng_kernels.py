"""The random numbers of the exact SSA kernels: xoshiro256++ and a ziggurat Exp(1) sampler.

The exact SSA draws two variates per event (a waiting time and a channel
choice), so their cost is part of the cost of every event. numpy's
Generator, called from numba, reaches its bit generator through a function
pointer and keeps its state in memory; here the state is four uint64 values
passed in and out of every draw (registers inside a compiled kernel), and
the exponential is Marsaglia & Tsang's ziggurat (one draw and one table test
in 98.9% of calls, exact rejection sampling otherwise) instead of -log(U).

Each trajectory's state is drawn by :func:`seed_state` from the numpy
Generator that ``simulate_stochastic`` seeds from (seed, input, repeat), so
results stay reproducible from the seed and independent across trajectories.
"""

from __future__ import annotations

import math

import numpy as np

try:  # pragma: no cover - depends on the environment
    import numba
    import numba.extending

    HAVE_NUMBA = True
except ImportError:  # pragma: no cover - depends on the environment
    numba = None
    HAVE_NUMBA = False

__all__ = ["HAVE_NUMBA", "exponential", "next_event_time", "seed_state", "uniform"]

_M64 = (1 << 64) - 1

# The generator state travels as four uint64 values (returned with every draw) so that it stays in
# registers inside a kernel: an array would cost a store and a reload per draw. The three generator
# functions are plain Python when called from Python (the pure-Python kernels: Python integers, as
# numpy scalars would warn on the intended wrap-around) and compiled inline into the numba kernels.
def _next64(s0, s1, s2, s3):
    """xoshiro256++ (Blackman & Vigna 2018): the advanced state and the next 64-bit output.

    The ++ scrambler, not +: every output bit is of full quality, and the ziggurat takes its layer from the low bits.
    """
    s0, s1, s2, s3 = int(s0), int(s1), int(s2), int(s3)
    x = (s0 + s3) & _M64
    result = ((((x << 23) | (x >> 41)) & _M64) + s0) & _M64
    t = (s1 << 17) & _M64
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = ((s3 << 45) | (s3 >> 19)) & _M64
    return s0, s1, s2, s3, result


def _next64_u64(s0, s1, s2, s3):
    """:func:`_next64` on numba's uint64 (wrap-around native), the version inside compiled kernels."""
    x = s0 + s3
    result = ((x << np.uint64(23)) | (x >> np.uint64(41))) + s0
    t = s1 << np.uint64(17)
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = (s3 << np.uint64(45)) | (s3 >> np.uint64(19))
    return s0, s1, s2, s3, result


if HAVE_NUMBA:
    numba.extending.overload(_next64, inline="always")(lambda s0, s1, s2, s3: _next64_u64)
    _rng = numba.extending.register_jitable(inline="always")
else:  # pragma: no cover - depends on the environment
    _rng = lambda func: func  # noqa: E731


@_rng
def uniform(s0, s1, s2, s3):
    """The advanced state and a uniform double in [0, 1): the top 53 bits of a xoshiro256++ output."""
    s0, s1, s2, s3, x = _next64(s0, s1, s2, s3)
    return s0, s1, s2, s3, float(x >> np.uint64(11)) * (1.0 / 9007199254740992.0)


def _ziggurat_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Marsaglia & Tsang's (2000) 256-layer ziggurat for Exp(1), on 53-bit integers: (ke, we, fe)."""
    m2, de, ve = 2.0**53, 7.697117470131487, 3.949659822581572e-3
    ke, we, fe = np.zeros(256, dtype=np.uint64), np.zeros(256), np.zeros(256)
    q = ve / math.exp(-de)
    ke[0], we[0], we[255], fe[0], fe[255] = int(de / q * m2), q / m2, de / m2, 1.0, math.exp(-de)
    for i in range(254, 0, -1):
        de_next = -math.log(ve / de + math.exp(-de))
        ke[i + 1], de = int(de_next / de * m2), de_next
        fe[i], we[i] = math.exp(-de), de / m2
    return ke, we, fe


_ZIG_K, _ZIG_W, _ZIG_F = _ziggurat_tables()
_ZIG_R = 7.697117470131487  # start of the tail of layer 0


@_rng
def exponential(s0, s1, s2, s3):
    """The advanced state and an Exp(1) variate by the ziggurat (exact rejection sampling).

    One draw and one table test in 98.9% of calls; the tail of layer 0 is
    r + Exp(1) by memorylessness, a wedge is accepted under exp(-x).
    """
    while True:
        s0, s1, s2, s3, ri = _next64(s0, s1, s2, s3)
        ri >>= np.uint64(3)
        idx = ri & np.uint64(0xFF)
        ri >>= np.uint64(8)
        x = float(ri) * _ZIG_W[idx]
        if ri < _ZIG_K[idx]:
            return s0, s1, s2, s3, x
        s0, s1, s2, s3, u = uniform(s0, s1, s2, s3)
        if idx == 0:
            return s0, s1, s2, s3, _ZIG_R - math.log(1.0 - u)
        if (_ZIG_F[idx - 1] - _ZIG_F[idx]) * u + _ZIG_F[idx] < math.exp(-x):
            return s0, s1, s2, s3, x


@_rng
def next_event_time(t, total, t1, s0, s1, s2, s3):
    """(state, time of the next event): t + Exp(1) / total, or t1 when nothing can fire (total <= 0)."""
    if total <= 0.0:
        return s0, s1, s2, s3, t1
    s0, s1, s2, s3, e = exponential(s0, s1, s2, s3)
    return s0, s1, s2, s3, t + e / total


def seed_state(rng: np.random.Generator) -> np.ndarray:
    """The xoshiro256++ state (uint64[4], never all zero) of one trajectory, drawn from ``rng``.

    Examples
    --------
    >>> s = seed_state(np.random.default_rng(0))
    >>> s.dtype, s.shape, 0.0 <= uniform(*s)[4] < 1.0
    (dtype('uint64'), (4,), True)
    """
    state = rng.integers(0, 2**64, size=4, dtype=np.uint64)
    if not state.any():  # pragma: no cover - probability 2**-256
        state[0] = 1
    return state
