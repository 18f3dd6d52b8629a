"""Argument checks shared by every module: types, shapes and integer widths, with messages
that name the argument and what it allows.

Python checks types and shapes (and that a whole number fits the integer the engine
receives it in); the engine checks ranges and says what it allows. Either way a bad
argument fails with a clear :class:`~buyernet.ParameterError` or :class:`TypeError` that
names it. This module sits at the bottom of the package and imports nothing of buyernet but
its exceptions and the engine.

Example:
    >>> integer(3, "periods", 1, 10)
    3
    >>> integer(0, "periods", 1, 10)
    Traceback (most recent call last):
    ...
    buyernet.exceptions.ParameterError: periods must be in [1, 10]; got 0
    >>> unit(0.25, "share"), seed(7)
    (0.25, 7)
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import numpy.typing as npt

from buyernet import _core
from buyernet.exceptions import ParameterError

__all__ = [
    "as_given",
    "float_array",
    "horizon",
    "integer",
    "into_width",
    "node_ids",
    "numbers",
    "plain",
    "plain_fields",
    "real",
    "seed",
    "threads",
    "unit",
]


def integer(value: object, name: str, low: int, high: int) -> int:
    """An integer argument within [low, high], or a clear exception.

    Example:
        >>> integer(2**64 - 1, "seed", 0, 2**64 - 1) == 2**64 - 1
        True
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer; got {type(value).__name__}")
    value = int(value)
    if not low <= value <= high:
        allowed = f"at least {low}" if high >= 2**63 - 1 else f"in [{low}, {high}]"
        if low == -(2**63) and high == 2**63 - 1:
            allowed = "a 64-bit whole number, in [-2**63, 2**63)"
        if high == 2**64 - 1:
            allowed = f"in [{low}, 2**64)"
        raise ParameterError(f"{name} must be {allowed}; got {value}")
    return value


def horizon(periods: object, replicates: object, at: str = "") -> tuple[int, int]:
    """A run's periods and replicates, each a whole number in [1, 2**32) (the engine counts
    them in 32 bits); ``at`` prefixes their names in messages (``"run."``).

    Example:
        >>> horizon(52, 8)
        (52, 8)
    """
    return (
        integer(periods, f"{at}periods", 1, 2**32 - 1),
        integer(replicates, f"{at}replicates", 1, 2**32 - 1),
    )


def threads(value: object, name: str = "threads") -> int | None:
    """Worker threads: None (all cores) or a whole number in [1, the engine's most].

    Example:
        >>> threads(None), threads(2)
        (None, 2)
    """
    return None if value is None else integer(value, name, 1, _core.MAX_THREADS)


def real(value: object, name: str) -> float:
    """A real-number argument (an int or a float, not a bool) as a float.

    Example:
        >>> real(2, "p")
        2.0
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number; got {type(value).__name__}")
    try:
        return float(value)
    except OverflowError:
        digits = int(int(value).bit_length() * 0.30103) + 1
        raise ParameterError(
            f"{name} must be a finite number; got an integer of about {digits} digits"
        ) from None


def unit(value: object, name: str) -> float:
    """A real number in [0, 1].

    Example:
        >>> unit(1, "share")
        1.0
    """
    x = real(value, name)
    if not 0.0 <= x <= 1.0:
        raise ParameterError(f"{name} must be in [0, 1]; got {value}")
    return x


def seed(value: object) -> int:
    """A random seed: an integer in [0, 2**64).

    Example:
        >>> seed(0)
        0
    """
    return integer(value, "seed", 0, 2**64 - 1)


def node_ids(ids: npt.ArrayLike, name: str) -> npt.NDArray[Any]:
    """Integer node ids as a contiguous uint32 or int64 array (the engine checks the range).

    Example:
        >>> node_ids(3, "seeds").tolist()
        [3]
    """
    arr = np.asarray(ids)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise ParameterError(f"{name} must be one-dimensional; got shape {arr.shape}")
    if arr.size == 0:
        return np.empty(0, dtype=np.uint32)
    if arr.dtype == object and all(
        isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in arr.tolist()
    ):
        values = [int(v) for v in arr.tolist()]
        wide = [v for v in values if not -(2**63) <= v < 2**63]
        if wide:
            # Python integers too large for int64: whole numbers, but no node's id.
            raise ParameterError(f"{name} must be node ids in [0, n); got {wide[0]}")
        arr = np.asarray(values, dtype=np.int64)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integer node ids; got dtype {arr.dtype}")
    if arr.dtype == np.uint32:
        return np.ascontiguousarray(arr)
    if arr.dtype.kind == "u" and arr.max() > np.iinfo(np.int64).max:
        raise ParameterError(f"{name} must be node ids in [0, n); got {arr.max()}")
    return np.ascontiguousarray(arr, dtype=np.int64)


def numbers(values: npt.ArrayLike, name: str) -> npt.NDArray[Any]:
    """``values`` as an array of real numbers, or a TypeError naming ``name``.

    Example:
        >>> numbers(["a"], "cost")
        Traceback (most recent call last):
        ...
        TypeError: cost must hold real numbers; got dtype <U1
    """
    arr = np.asarray(values)
    if arr.size and arr.dtype.kind not in "fiub":
        raise TypeError(f"{name} must hold real numbers; got dtype {arr.dtype}")
    return arr


def float_array(values: npt.ArrayLike, name: str, length: int | None = None) -> npt.NDArray[Any]:
    """Numbers as a contiguous float32 array, one-dimensional (of ``length`` if given).

    Example:
        >>> float_array([1, 2], "weights").dtype
        dtype('float32')
    """
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ParameterError(f"{name} must be one-dimensional; got shape {arr.shape}")
    if arr.size and arr.dtype.kind not in "fiu":
        raise TypeError(f"{name} must hold real numbers; got dtype {arr.dtype}")
    if length is not None and arr.size != length:
        raise ParameterError(f"{name} must have length {length}, one per edge; got {arr.size}")
    return np.ascontiguousarray(arr, dtype=np.float32)


def plain(value: Any, kind: str, where: str) -> Any:
    """``value`` as the plain Python value a field of type ``kind`` holds (numpy scalars
    become numbers, lists tuples), or a TypeError naming ``where``: a bool is not a number,
    and nothing else (not the string "false") is a bool.

    Example:
        >>> plain(np.int64(3), "int", "x"), plain([1, np.float32(0.5)], "tuple[float, ...]", "y")
        (3, (1, 0.5))
    """
    if kind.startswith("tuple["):
        if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple, np.ndarray)):
            raise TypeError(f"{where} must be a list; got {type(value).__name__}")
        inner = kind[len("tuple[") :].split(",")[0]
        return tuple(plain(v, inner, f"{where}[{i}]") for i, v in enumerate(value))
    if kind.endswith("| None") and value is None:
        return None
    kind = kind.split("|")[0].strip()
    if kind == "str":
        if not isinstance(value, str):
            raise TypeError(f"{where} must be a string; got {type(value).__name__}")
        return value
    if kind == "bool":
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{where} must be true or false; got {type(value).__name__}")
        return bool(value)
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{where} must be a number; got bool")
    if kind == "int":
        if not isinstance(value, (int, np.integer)):
            raise TypeError(f"{where} must be a whole number; got {type(value).__name__}")
        return int(value)
    if kind == "float" and isinstance(value, (np.integer, np.floating)):
        return value.item()
    if kind == "float" and isinstance(value, int):
        real(value, where)  # an integer too large for a float is refused by name
    return value


def plain_fields(obj: Any, prefix: str = "") -> dict[str, Any] | None:
    """The fields of dataclass ``obj`` as plain values of their declared types (see
    :func:`plain`; errors name ``prefix`` + the field), or None where they already are.

    Example:
        >>> from dataclasses import dataclass
        >>> @dataclass
        ... class A:
        ...     x: float = 1.0
        >>> plain_fields(A(np.float64(2.0))), plain_fields(A())
        ({'x': 2.0}, None)
    """
    fields = dataclasses.fields(obj)
    values = {f.name: getattr(obj, f.name) for f in fields}
    # Postponed annotations are strings, read as written ("float", "tuple[float, ...]").
    out = {f.name: plain(values[f.name], str(f.type), prefix + f.name) for f in fields}
    same = all(_identical(out[k], v) for k, v in values.items())
    return None if same else out


def _identical(a: Any, b: Any) -> bool:
    """Equal, and of the same types all the way down (0.5 is not np.float64(0.5))."""
    if type(a) is not type(b):
        return False
    if isinstance(a, tuple):
        return len(a) == len(b) and all(_identical(x, y) for x, y in zip(a, b))
    return bool(a == b)


def into_width(
    obj: Any, prefix: tuple[str, ...] = (), widths: dict[str, int] | None = None
) -> dict[tuple[str, ...], tuple[int, int]]:
    """Brings each whole-number field of dataclass ``obj`` that the engine could not even
    receive into its integer width: a negative one to 0, one above its width
    (``widths[name]``, else 2**32 - 1) to the width. Returns them by path, as (given, sent):
    check the sent values with the engine and let :func:`as_given` name the range.

    Example:
        >>> from dataclasses import dataclass
        >>> @dataclass
        ... class A:
        ...     n: int = -3
        >>> a = A(); into_width(a, ("a",)), a.n
        ({('a', 'n'): (-3, 0)}, 0)
    """
    out = {}
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        whole = str(f.type) in ("int", "int | None")
        if not whole or not isinstance(value, int) or isinstance(value, bool):
            continue
        width = (widths or {}).get(f.name, 2**32 - 1)
        if not 0 <= value <= width:
            sent = 0 if value < 0 else width
            out[(*prefix, f.name)] = (value, sent)
            object.__setattr__(obj, f.name, sent)
    return out


def as_given(check: Any, changed: dict[tuple[str, ...], tuple[int, int]]) -> None:
    """Runs ``check()`` (an engine check of the values :func:`into_width` brought into
    width) and raises what it says of a changed field with the number as given: the
    engine's allowed range with the user's number.

    Example:
        >>> def check():
        ...     err = ParameterError("on must be in [1, 520]; got 0")
        ...     err.path = ("on",)
        ...     raise err
        >>> as_given(check, {("on",): (-1, 0)})
        Traceback (most recent call last):
        ...
        buyernet.exceptions.ParameterError: on must be in [1, 520]; got -1
    """
    try:
        check()
    except ParameterError as err:
        path = tuple(getattr(err, "path", None) or ())
        if path in changed and str(err).endswith(f"; got {changed[path][1]}"):
            message = str(err)[: -len(str(changed[path][1]))]
            out = ParameterError(f"{message}{changed[path][0]}")
            out.path = path  # type: ignore[attr-defined]
            raise out from None
        raise
    if changed:
        path, (value, sent) = next(iter(changed.items()))
        bound = "at least 0" if value < 0 else f"at most {sent}"
        out = ParameterError(f"{'.'.join(path)} must be {bound}; got {value}")
        out.path = path  # type: ignore[attr-defined]
        raise out
