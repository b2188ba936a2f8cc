"""The ``rxnn compile`` and ``rxnn convert`` commands.

``rxnn compile MODEL.npz --to sbml|antimony|text|json -o FILE [--inputs SPEC] [--absorb] [--nodes X]``
    compiles a model file (:func:`rxnn.io.model_file.load_model`) into the
    reaction network of §5.2 and writes it with its initial concentrations.
    ``--inputs`` sets the input species from one input in the grammar of
    :mod:`rxnn._inputs` (``mnist:I``, ``mnist:train:I``, ``random:1``, or a
    ``.npy``, ``.txt`` or ``.csv`` file of c_0 numbers); without it the inputs
    are left without values. ``--input`` is its deprecated spelling.

``rxnn convert IN OUT [--from FMT] [--to FMT]``
    converts a network file between formats (:data:`rxnn.io.formats.FORMATS`).

Formats default to the file extensions; ``-o -`` (or no ``-o``) writes to
standard output. Handlers return 0 on success and raise an
:class:`rxnn.errors.RxnnError` otherwise, which :func:`rxnn.cli.main` prints as
one line on standard error (exit status 2); reading warnings, and a warning
for a network without reactions, are printed as ``warning:`` lines.

:func:`register` adds both to the subcommands of the ``rxnn`` parser.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from rxnn._argtypes import add_deprecated_alias, add_inputs_option
from rxnn._files import check_output_path
from rxnn._inputs import load_inputs
from rxnn.errors import InvalidArgumentError, one_line
from rxnn.io.formats import FORMATS, Format, format_for, read_network, write_chunks

__all__ = ["register"]

_FORMAT_HELP = ", ".join(f"{f.name} ({' '.join(f.extensions)})" for f in FORMATS.values())


def register(subparsers: argparse._SubParsersAction) -> tuple[argparse.ArgumentParser, argparse.ArgumentParser]:
    """Add the ``compile`` and ``convert`` commands to ``subparsers``.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        What ``parser.add_subparsers(dest="command")`` returned for the ``rxnn`` parser.

    Returns
    -------
    tuple of argparse.ArgumentParser
        The ``compile`` and ``convert`` parsers; each sets ``func`` to a
        handler that takes the parsed arguments and returns an exit code.
    """
    comp = subparsers.add_parser(
        "compile",
        help="compile a model file into a reaction network file",
        description="Compile a feed-forward network (.npz model file) into the reaction network of "
        "§5.2 (Table 1) and write it, with initial concentrations, as " + _FORMAT_HELP + ".",
    )
    comp.add_argument("model", type=Path, metavar="MODEL.npz", help="a model file (rxnn.io.model_file)")
    comp.add_argument("--to", choices=sorted(FORMATS), help="output format (default: from the extension of -o)")
    comp.add_argument("-o", "--output", metavar="FILE", help="output file; '-' or none: standard output")
    add_inputs_option(comp, default=None, help="one input, its concentrations set (default: inputs left without values)")
    add_deprecated_alias(comp, "--input", "--inputs", dest="inputs")
    comp.add_argument("--absorb", action="store_true",
                      help="fold the enzymatic species into rate constants (§5.1)")
    comp.add_argument("--nodes", type=float, default=1.0, metavar="X",
                      help="initial concentration of the hidden and output nodes (default 1.0)")
    comp.set_defaults(func=_compile)

    conv = subparsers.add_parser(
        "convert",
        help="convert a reaction network file between formats",
        description="Convert a reaction network file between formats: " + _FORMAT_HELP + ". Initial "
        "concentrations are carried over where the output format holds them.",
    )
    conv.add_argument("source", metavar="IN", type=Path, help="the file to read")
    conv.add_argument("target", metavar="OUT", help="the file to write; '-': standard output")
    conv.add_argument("--from", dest="from_format", choices=sorted(FORMATS),
                      help="input format (default: from the extension of IN)")
    conv.add_argument("--to", dest="to_format", choices=sorted(FORMATS),
                      help="output format (default: from the extension of OUT)")
    conv.set_defaults(func=_convert)
    return comp, conv


def _fail(message: str) -> InvalidArgumentError:
    """An error in the command's arguments, printed by :func:`rxnn.cli.main` as one line (exit status 2)."""
    return InvalidArgumentError(message)


class EmptyNetworkWarning(UserWarning):
    """A command read or wrote a network without reactions: valid, but rarely what the user meant."""


def _run(command: str, body: Callable[[], None]) -> int:
    """Run ``body``, printing the warnings it raised as ``rxnn <command>: warning:`` lines; return 0.

    Errors propagate to :func:`rxnn.cli.main`, which prints them as one line (exit status 2);
    the warnings are printed first, on every exit path.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            body()
        finally:
            for w in caught:
                print(f"rxnn {command}: warning: {one_line(str(w.message))}", file=sys.stderr)
    return 0


def _to_stdout(target: str | None) -> bool:
    return target is None or target == "-"


def _output_format(target: str | None, name: str | None, option: str) -> Format:
    if name is None and _to_stdout(target):
        raise _fail(f"give {option} FORMAT to write to standard output ({', '.join(FORMATS)})")
    return format_for(None if _to_stdout(target) else target, name)


def _emit(fmt: Format, network: Any, initial: Mapping[str, float], target: str | None, command: str) -> None:
    if network.n_reactions == 0:
        warnings.warn(
            "the network has no reactions (an empty file or one with only comments?); writing an empty network",
            EmptyNetworkWarning, stacklevel=2,
        )
    if initial and not fmt.holds_initial:
        print(f"rxnn {command}: note: the {fmt.name} format holds no concentrations; writing the network alone",
              file=sys.stderr)
        initial = {}
    chunks: Iterable[str] = fmt.text_chunks(network, initial)
    if _to_stdout(target):
        for chunk in chunks:
            sys.stdout.write(chunk)
        sys.stdout.flush()
        return
    write_chunks(target, chunks)
    print(f"wrote {network.n_reactions} reactions over {network.n_species} species to {target} ({fmt.name})",
          file=sys.stderr)


# --------------------------------------------------------------------------- compile


def _compile(args: argparse.Namespace) -> int:
    """Run ``rxnn compile``; return the exit code."""

    def body() -> None:
        from rxnn.compile import compile_network
        from rxnn.io.model_file import load_model

        fmt = _output_format(args.output, args.to, "--to")
        if not (np.isfinite(args.nodes) and args.nodes >= 0):
            raise _fail(f"--nodes must be a finite concentration >= 0; got {args.nodes!r}")
        if not _to_stdout(args.output):
            check_output_path(args.output)  # refuse before the work, not after
        net = load_model(args.model)
        compiled = compile_network(net, absorb_enzymes=args.absorb)
        c0 = net.layer_sizes[0]
        d = load_inputs(args.inputs, c0, max_rows=1)[0] if args.inputs is not None else np.zeros(c0)
        initial = compiled.initial_state(d, args.nodes)
        if args.inputs is None:
            for s in compiled.layer_species(0):
                initial.pop(s, None)
        _emit(fmt, compiled.network, initial, args.output, "compile")

    return _run("compile", body)


# --------------------------------------------------------------------------- convert


def _convert(args: argparse.Namespace) -> int:
    """Run ``rxnn convert``; return the exit code."""

    def body() -> None:
        fmt = _output_format(args.target, args.to_format, "--to")
        if not _to_stdout(args.target):
            check_output_path(args.target)  # refuse before the work, not after
        network, initial = read_network(args.source, args.from_format)
        _emit(fmt, network, initial, args.target, "convert")

    return _run("convert", body)
