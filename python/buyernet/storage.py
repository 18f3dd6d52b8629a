"""Writing output so that nothing a user saved is lost or half-written.

Two guarantees, for every file and directory buyernet writes:

* **Atomic.** Output is written to a temporary name beside its destination and renamed into
  place when complete, so a reader (or a crash, or Ctrl-C) sees the old version or the new one,
  never half of one. New files get the user's normal permissions (umask), not private ones.
* **Only buyernet's own output is replaced.** A results directory carries a marker file
  (:data:`MARKER`) that names the format and every entry buyernet wrote. ``--force`` replaces
  a directory only if it has that marker and nothing else was put in it since; it never
  replaces the working directory, one of its ancestors, the home directory, or a directory that
  holds an input file.

Example:
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> with results_directory(folder / "out") as tmp:
    ...     _ = (tmp / "a.txt").write_text("hello")
    >>> sorted(p.name for p in (folder / "out").iterdir())
    ['.buyernet-results', 'a.txt']
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from buyernet._version import __version__
from buyernet.exceptions import BuyernetError, ParameterError

__all__ = [
    "FORMAT",
    "MARKER",
    "OutputError",
    "atomic_file",
    "check_output",
    "file_name",
    "read_toml",
    "results_directory",
    "write_atomically",
]

MARKER = ".buyernet-results"
"""The file that marks a directory as buyernet's results; JSON with the format and entries."""

FORMAT = 2
"""The results-directory format version written into :data:`MARKER` (2: ``entries`` lists
every file and folder, nested ones as relative paths; 1 listed only the top level)."""


class OutputError(BuyernetError, ValueError):
    """An output path that buyernet will not write to, said before anything runs."""


def _fresh_name(path: Path, tag: str) -> Path:
    return path.with_name(f".{path.name}.{tag}-{secrets.token_hex(4)}")


@contextlib.contextmanager
def atomic_file(path: str | Path) -> Iterator[IO[bytes]]:
    """A binary file to fill; renamed onto ``path`` when the block ends, removed if it fails.

    A replaced file keeps its permissions; a new one gets the user's umask.

    Example:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
        >>> with atomic_file(p) as f:
        ...     _ = f.write(b"done")
        >>> p.read_text()
        'done'
    """
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"{path} is a directory; name a file to write")
    if not path.resolve().parent.is_dir():
        raise OutputError(f"cannot write {path}: the folder {path.parent} does not exist")
    tmp = _fresh_name(path, "tmp")
    # O_EXCL: never write through a name someone else created; 0o666 & ~umask like open().
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as file:
            if path.exists():
                os.chmod(tmp, path.stat().st_mode & 0o7777)
            yield file
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_atomically(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (see :func:`atomic_file`).

    Example:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
        >>> write_atomically(p, "done"); p.read_text()
        'done'
    """
    with atomic_file(path) as file:
        file.write(text.encode("utf-8"))


def _protected(inputs: Iterable[Path]) -> list[tuple[Path, str]]:
    cwd = Path.cwd().resolve()
    places = [(cwd, "the working directory")]
    places += [(p, "an ancestor of the working directory") for p in cwd.parents]
    with contextlib.suppress(RuntimeError):
        places.append((Path.home().resolve(), "the home directory"))
    for i in inputs:
        places.append((Path(i).resolve().parent, f"the directory of the input {i}"))
    return places


def _written_by_buyernet(directory: Path, shown: Path) -> list[str]:
    """The entries buyernet wrote into ``directory``, from its marker; raises if unmarked."""
    marker = directory / MARKER
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
        entries = data["entries"]
        if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
            raise TypeError
    except (OSError, ValueError, KeyError, TypeError):
        raise OutputError(
            f"{shown} was not written by buyernet (no valid {MARKER} marker), so --force "
            "will not replace it; choose another --output or move it away"
        ) from None
    if data.get("format") != FORMAT and any((directory / e).is_dir() for e in entries):
        # Format 1 listed only the top level: what lies inside its folders cannot be told
        # apart from files added since.
        raise OutputError(
            f"{shown} was written by an older buyernet, whose marker does not list the files "
            "inside its folders, so --force cannot tell them from yours; remove it yourself "
            "or choose another --output"
        )
    return entries


def file_name(name: str, what: str) -> str:
    """``name``, checked to be one file name inside a folder: not empty, not ``.`` or
    ``..``, with no path separator or NUL (it must not reach outside the folder).

    Example:
        >>> file_name("../victim", "name")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        buyernet.exceptions.ParameterError: name must be usable as a file name ...; got '../victim'
    """
    if not isinstance(name, str) or name in ("", ".", "..") or any(c in name for c in "/\\\0"):
        raise ParameterError(
            f"{what} must be usable as a file name (not empty, . or .., no / or \\); got {name!r}"
        )
    return name


def _tree(directory: Path) -> list[str]:
    """Every file, folder and link under ``directory``, as relative POSIX paths (links are
    listed, never followed).
    """
    found = []
    for root, dirs, files in os.walk(directory):
        at = Path(root).relative_to(directory)
        found += [(at / name).as_posix() for name in (*dirs, *files)]
    return found


def check_output(output: str | Path, *, force: bool, inputs: Iterable[str | Path] = ()) -> None:
    """Refuse, before any work, an output directory that buyernet must not write or replace.

    Args:
        output: the results directory to be written.
        force: whether an existing results directory may be replaced.
        inputs: files the run reads; a directory holding one of them is never replaced.

    Raises:
        OutputError: ``output`` is a file or a link; or it exists and ``force`` is off; or it
            is the working directory, an ancestor of it, the home directory or an input's
            directory, or holds an input; or it was not written by buyernet or holds any
            file or folder, at any depth, that buyernet did not write.

    Example:
        >>> check_output(".", force=True)
        Traceback (most recent call last):
        ...
        buyernet.storage.OutputError: . is the working directory; buyernet never replaces it
    """
    output = Path(output)
    if output.is_symlink():
        raise OutputError(f"{output} is a link; name a new directory for the results")
    if not output.exists():
        return
    if not output.is_dir():
        raise OutputError(
            f"{output} is an existing file; --output names a results directory, so choose "
            "a new name"
        )
    if not force:
        raise OutputError(
            f"{output} exists; use --force to replace it (only results buyernet wrote), or "
            "--output another"
        )
    resolved = output.resolve()
    for place, what in _protected(Path(i) for i in inputs):
        if resolved == place:
            raise OutputError(f"{output} is {what}; buyernet never replaces it")
    for i in inputs:
        if Path(i).resolve().is_relative_to(resolved):
            raise OutputError(
                f"{output} holds the input {i}; buyernet never replaces it: write the "
                "results elsewhere or move the input out"
            )
    entries = set(_written_by_buyernet(resolved, output)) | {MARKER}
    foreign = sorted(p for p in _tree(resolved) if p not in entries)
    if foreign:
        raise OutputError(
            f"{output} holds entries buyernet did not write ({', '.join(foreign[:5])}"
            f"{', ...' if len(foreign) > 5 else ''}); --force will not delete them: move them "
            "away or choose another --output"
        )


@contextlib.contextmanager
def results_directory(output: str | Path, *, inputs: Iterable[str | Path] = ()) -> Iterator[Path]:
    """A fresh directory beside ``output`` to fill; it replaces ``output`` when the block ends.

    The marker is written last, listing every entry. An existing ``output`` is checked again
    (it must be buyernet's own, see :func:`check_output`) and removed only after the new
    directory is in place. If the block fails or is interrupted, the new directory is removed
    and ``output`` is untouched.
    """
    output = Path(output)
    inputs = list(inputs)
    output.resolve().parent.mkdir(parents=True, exist_ok=True)
    tmp = _fresh_name(output.resolve(), "new")
    tmp.mkdir()  # mode 0o777 & ~umask, unlike tempfile.mkdtemp's private 0o700
    old: Path | None = None
    try:
        yield tmp
        marker = {
            "format": FORMAT,
            "written_by": f"buyernet {__version__}",
            "entries": sorted(_tree(tmp)),
        }
        (tmp / MARKER).write_text(json.dumps(marker, indent=2), encoding="utf-8")
        if output.exists() or output.is_symlink():
            check_output(output, force=True, inputs=inputs)
            old = _fresh_name(output.resolve(), "old")
            os.replace(output, old)
        os.replace(tmp, output)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None and not output.exists():
            os.replace(old, output)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def read_toml(path: str | Path, error: type[ParameterError] = ParameterError) -> dict[str, Any]:
    r"""A TOML file's tables: the one reader of scenario, sweep and market files. A file that
    cannot be read, is not UTF-8 or is not valid TOML raises ``error`` naming the file.

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as d:
        ...     path = Path(d) / "s.toml"
        ...     _ = path.write_text("[run]\nperiods = 4\n")
        ...     read_toml(path)
        {'run': {'periods': 4}}
    """
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - depends on the interpreter
        import tomli as tomllib
    try:
        with open(path, "rb") as file:
            return tomllib.load(file)
    except OSError as err:
        raise error(f"{path}: cannot read: {err.strerror}") from None
    except tomllib.TOMLDecodeError as err:
        raise error(f"{path}: not valid TOML: {err}") from None
    except UnicodeDecodeError as err:
        raise error(f"{path}: not UTF-8 text, as TOML must be: {err.reason}") from None
