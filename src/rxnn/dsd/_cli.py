"""The ``rxnn dsd`` command: write a strand-displacement design and print its budget.

``rxnn dsd MODEL_OR_NETWORK --scheme NAME -o design.pil`` translates a model
file (.npz: compiled first, Table 1 form or, for a bimolecular scheme, the
absorbed form of §5.1) or a reaction network in any format ``rxnn convert``
writes (text, JSON, SBML, Antimony; ``--format`` for other names), writes the
PIL and prints the summary. ``--verify`` also enumerates and verifies one
module per reaction type. Errors are one line on stderr, exit status 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rxnn._argtypes import add_network_format_option, positive_float

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``dsd`` command to the ``rxnn`` subcommands."""
    from rxnn.dsd.schemes import SCHEMES

    p = subparsers.add_parser(
        "dsd",
        help="translate a model or reaction network into a DNA strand-displacement design (PIL)",
        description="Translate MODEL_OR_NETWORK (a .npz model file or a reaction network in the text syntax) "
        "into a DNA strand-displacement design, write it as PIL (peppercorn's input) and print the budget "
        "(strands, domains, nucleotides, concentrations, time). Exit status 0, 1 if --verify fails, 2 on errors.",
    )
    p.add_argument("target", type=Path, metavar="MODEL_OR_NETWORK", help=".npz model file or reaction network file")
    p.add_argument("--scheme", default="soloveichik2010", choices=sorted(SCHEMES), help="translation scheme")
    p.add_argument("-o", "--output", type=Path, help="write the design as PIL to this file")
    p.add_argument("--unit-nM", type=positive_float, help="nM per formal concentration unit (default: the scheme's)")
    p.add_argument("--fuel-nM", type=positive_float, help="fuel concentration C of the rate law in nM (default: the scheme's)")
    p.add_argument("--max-gate-nM", type=positive_float, help="largest gate concentration in nM (default: the scheme's)")
    p.add_argument("--min-nM", type=positive_float, help="lakin2012: gate concentration in nM (default: the scheme's)")
    add_network_format_option(p)
    p.add_argument("--verify", action="store_true",
                   help="enumerate and verify one module per reaction type (peppercorn + crnverifier)")
    p.set_defaults(func=_dsd)
    return p


def _load_network(path: Path, scheme_name: str, network_format: str | None = None):
    from rxnn.dsd.schemes import get_scheme

    if not path.is_file():
        raise FileNotFoundError(f"{str(path)!r} is not a file (give a .npz model or a reaction network file)")
    if path.suffix == ".npz":
        from rxnn.compile import compile_network
        from rxnn.io.model_file import load_model

        absorbed = get_scheme(scheme_name).max_reactants < 3
        return compile_network(load_model(path), absorb_enzymes=absorbed).network
    from rxnn.io.formats import read_network

    return read_network(path, network_format)[0]


def _dsd(args: argparse.Namespace) -> int:
    from rxnn.dsd.design import translate

    try:
        network = _load_network(args.target, args.scheme, args.network_format)
        design = translate(network, args.scheme, unit_nM=args.unit_nM, fuel_nM=args.fuel_nM,
                           max_gate_nM=args.max_gate_nM, min_nM=args.min_nM)
        if args.output is not None:
            design.write_pil(args.output)
        print(design.summary())
        if args.output is not None:
            print(f"wrote {args.output}")
        if args.verify:
            report = design.verify(per_type=True)
            print(report)
            return 0 if report.passed else 1
    except (ValueError, OSError, RuntimeError) as exc:
        print(f"rxnn dsd: error: {exc}", file=sys.stderr)
        return 2
    return 0
