"""Safe output files: the one atomic writer every rxnn writer goes through.

A file is written to a temporary sibling (``.<name>.<pid>.<hex>.tmp``), flushed
and ``fsync``-ed, then renamed over the target, so that a reader sees the old
file or the complete new one. Before anything is written the target is checked:

* an existing target must be a regular file (never a device, a folder, a FIFO
  or a symbolic link: ``-o /dev/null`` or a link is refused, not replaced);
* its folder must exist and be a folder.

Errors name the user's path, never the temporary one. The temporary file is
removed on every exit path that Python sees (exceptions, ``KeyboardInterrupt``,
``SIGTERM`` through the default handler raising ``SystemExit`` where installed);
a ``SIGKILL`` cannot be caught, so every write first sweeps the stale temporary
files of the same target left by processes that no longer exist.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from rxnn.errors import InvalidArgumentError, OutputPathError

__all__ = ["check_output_path", "check_output_folder", "atomic_output", "sweep_stale_temporaries"]

_TMP = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.[0-9a-f]{8}\.tmp$")


def check_output_path(path: str | os.PathLike[str], what: str = "output path", *, probe: bool = False) -> Path:
    """Return ``path`` after checking it can be written safely, or raise :class:`OutputPathError`.

    Parameters
    ----------
    path : str or path-like
        The file to be written.
    what : str
        How the message names the path (e.g. ``"-o"`` or ``"path of save_model"``).
    probe : bool, default False
        Also create (and remove) a temporary file next to ``path``, as the writer
        will: the one sure test that the folder takes new files (``/proc``, a
        read-only mount, permissions that ``os.access`` misjudges). For commands
        that check their outputs before long work.

    Examples
    --------
    >>> check_output_path("/dev/null")
    Traceback (most recent call last):
    ...
    rxnn.errors.OutputPathError: output path '/dev/null' exists and is not a regular file (a character device); rxnn replaces only regular files: choose another path
    """
    path = Path(os.fspath(path))
    if path.name in ("", ".", ".."):
        raise OutputPathError(f"{what} {str(path)!r} names a folder, not a file: give a file name")
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        st = None
    except NotADirectoryError:  # "afile/x.xml" with afile a file: name the part that is wrong
        raise OutputPathError(f"{what} {str(path)!r}: {_first_non_folder(path)!r} is a file, not a folder") from None
    except OSError as exc:
        raise OutputPathError(f"{what} {str(path)!r} cannot be examined: {exc.strerror or exc}") from None
    if st is not None and not stat.S_ISREG(st.st_mode):
        kind = _kind(st.st_mode)
        raise OutputPathError(
            f"{what} {str(path)!r} exists and is not a regular file ({kind}); rxnn replaces only regular "
            "files: choose another path"
        )
    parent = path.parent
    if not parent.exists():
        raise OutputPathError(f"{what} {str(path)!r}: its folder {str(parent)!r} does not exist; create it first")
    if not parent.is_dir():
        raise OutputPathError(f"{what} {str(path)!r}: {str(parent)!r} is not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputPathError(f"{what} {str(path)!r}: its folder {str(parent)!r} is not writable")
    if st is not None and not os.access(path, os.W_OK):
        raise OutputPathError(f"{what} {str(path)!r} exists and is not writable")
    if probe:
        tmp = _temporary(path)
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except OSError as exc:
            raise OutputPathError(f"cannot write {what} {str(path)!r}: no file can be created in "
                                  f"{str(parent)!r} ({exc.strerror or exc})") from None
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    return path


def _temporary(path: Path) -> Path:
    """A fresh name for a temporary sibling of ``path`` (the pattern :func:`sweep_stale_temporaries` knows)."""
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")


def _first_non_folder(path: Path) -> str:
    """The first ancestor of ``path`` that exists and is not a folder (what makes ``ENOTDIR``)."""
    for ancestor in reversed(path.parents):
        if ancestor.exists() and not ancestor.is_dir():
            return str(ancestor)
    return str(path.parent)


def check_output_folder(path: str | os.PathLike[str], what: str = "output folder") -> Path:
    """Return ``path`` after checking it is a folder or can be created as one, or raise :class:`OutputPathError`.

    The folder itself is not created. A symbolic link to a folder is accepted
    (files are written inside it, the link is not replaced).

    Examples
    --------
    >>> check_output_folder("/dev/null")
    Traceback (most recent call last):
    ...
    rxnn.errors.OutputPathError: output folder '/dev/null' exists and is not a folder (a character device): choose another path
    """
    path = Path(os.fspath(path))
    try:
        st = os.stat(path)
    except FileNotFoundError:
        st = None
    except NotADirectoryError:
        raise OutputPathError(f"{what} {str(path)!r}: {_first_non_folder(path)!r} is a file, not a folder") from None
    except OSError as exc:
        raise OutputPathError(f"{what} {str(path)!r} cannot be examined: {exc.strerror or exc}") from None
    if st is not None:
        if not stat.S_ISDIR(st.st_mode):
            raise OutputPathError(f"{what} {str(path)!r} exists and is not a folder ({_kind(st.st_mode)}): "
                                  "choose another path")
        if not os.access(path, os.W_OK | os.X_OK):
            raise OutputPathError(f"{what} {str(path)!r} is not writable")
        return path
    existing = next((a for a in path.parents if a.exists()), None)
    if existing is not None and not existing.is_dir():
        raise OutputPathError(f"{what} {str(path)!r}: {str(existing)!r} is a file, not a folder")
    if existing is not None and not os.access(existing, os.W_OK | os.X_OK):
        raise OutputPathError(f"{what} {str(path)!r} cannot be created: {str(existing)!r} is not writable")
    return path


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISLNK, "a symbolic link"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a named pipe"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def sweep_stale_temporaries(path: str | os.PathLike[str]) -> list[Path]:
    """Remove the temporary files of ``path`` left by writers that were killed; return them.

    Only files named like this module's own temporaries (``.<name>.<pid>.<8 hex>.tmp``) whose
    process no longer exists are removed, and only regular files.
    """
    path = Path(path)
    removed = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(path.parent):
            m = _TMP.match(entry.name)
            if m is None or m["name"] != path.name or _alive(int(m["pid"])):
                continue
            with contextlib.suppress(OSError):
                if entry.is_file(follow_symlinks=False):
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
    return removed


@contextlib.contextmanager
def atomic_output(
    path: str | os.PathLike[str], mode: str = "wb", *, what: str = "output path", durable: bool = True, **open_kwargs
) -> Iterator[IO]:
    """Open a temporary sibling of ``path`` for writing; on success rename it over ``path``.

    Parameters
    ----------
    path : str or path-like
        The target file (checked by :func:`check_output_path`).
    mode : {"wb", "w"}
        Binary or text.
    what : str
        How error messages name the path.
    durable : bool, default True
        ``fsync`` the file before the rename (and the folder after it), so that the
        new content survives a crash once the call returns.
    **open_kwargs
        Passed to :func:`open` (``encoding``, ``newline``); text is UTF-8 unless
        ``encoding`` says otherwise (never the locale's encoding, which a
        library may have switched to ASCII).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_output(target, "w", encoding="utf-8") as f:
    ...     _ = f.write("hello")
    >>> target.read_text(encoding="utf-8")
    'hello'
    """
    if mode not in ("wb", "w"):
        raise InvalidArgumentError(f"mode of atomic_output must be 'wb' or 'w'; got {mode!r}")
    if mode == "w":
        open_kwargs.setdefault("encoding", "utf-8")
    path = check_output_path(path, what)
    sweep_stale_temporaries(path)
    tmp = _temporary(path)
    try:
        try:
            f = open(tmp, mode.replace("w", "x"), **open_kwargs)
        except OSError as exc:
            raise OutputPathError(
                f"cannot write {what} {str(path)!r}: no file can be created in {str(path.parent)!r} "
                f"({exc.strerror or exc})"
            ) from None
        with f:
            yield f
            f.flush()
            if durable:
                os.fsync(f.fileno())
        try:
            os.replace(tmp, path)
        except OSError as exc:
            raise OutputPathError(f"cannot write {what} {str(path)!r}: {exc.strerror or exc}") from None
        if durable:
            _fsync_dir(path.parent)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError as exc:  # some file systems do not support fsync on folders
        if exc.errno not in (errno.EINVAL, errno.EBADF, errno.ENOTSUP):
            raise
    finally:
        os.close(fd)
