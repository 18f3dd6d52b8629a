"""Running many tasks over one engine: executors, checkpoints, task seeds and dotted
parameters, shared by sweeps (and by anything else that explores the parameter space).

* :func:`as_executor` and :func:`local_executor`: run tasks in this process, on a
  ``concurrent.futures`` pool, or on Dask (a client, a scheduler address, or N local
  workers).
* :class:`Checkpoint`: each finished task written atomically to a directory, so a rerun
  after a crash or Ctrl-C skips it; a directory holding other work is refused.
* :func:`task_seed`: a task's seed from the run's seed and the task's place, never from
  where or when it runs.
* :class:`Setup`: a market and strategies as the plain dicts the engine reads, changed by
  dotted paths such as ``"needs.observability"`` or ``"strategies.quantum.budget"``.

Tasks carry configuration (plain data, a few kB), not markets or networks: workers rebuild
what they need.

Example:
    >>> import buyernet
    >>> s = Setup.of(buyernet.Market(), {"q": buyernet.Strategy.quantum(100)}, {})
    >>> s.set("needs.observability", 0.5), s.set("strategies.q.budget", 200.0)
    (True, False)
    >>> s.market["needs"]["observability"], s.strategies["q"]["budget"]
    (0.5, 200.0)
    >>> task_seed(1, "[]", 0) == task_seed(1, "[]", 0) != task_seed(1, "[]", 1)
    True
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import hashlib
import json
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from buyernet import checks
from buyernet.exceptions import ParameterError
from buyernet.market import _SECTIONS, Market
from buyernet.storage import write_atomically
from buyernet.strategy import Plan, plan_from_dict

__all__ = [
    "Checkpoint",
    "Setup",
    "as_executor",
    "canonical_key",
    "check_key",
    "fingerprint",
    "local_executor",
    "run_tasks",
    "task_seed",
]

K = TypeVar("K", bound=Hashable)
R = TypeVar("R")
Key = TypeVar("Key", bound=tuple[int, ...])

# The heads of dotted paths that name a strategy rather than a market field.
_STRATEGY_HEADS = ("strategies", "rivals")


# -- executors -----------------------------------------------------------------------------


def as_executor(executor: Any) -> concurrent.futures.Executor | None:
    """The ``concurrent.futures.Executor`` to submit tasks to (None: this process), from
    None, an executor, a ``dask.distributed.Client`` or a scheduler address.

    Example:
        >>> as_executor(None) is None
        True
    """
    if isinstance(executor, concurrent.futures.ProcessPoolExecutor):
        context = getattr(executor, "_mp_context", None)
        if context is not None and context.get_start_method() == "fork":
            # A forked child inherits the engine's thread pool without its threads, and
            # can hang on first use.
            raise ParameterError(
                "a ProcessPoolExecutor for a sweep must start its workers with 'spawn' or "
                "'forkserver': ProcessPoolExecutor(mp_context=multiprocessing.get_context("
                "'spawn'))"
            )
    if executor is None or isinstance(executor, concurrent.futures.Executor):
        return executor
    try:
        from distributed import Client
    except ImportError:
        raise ImportError(
            "a sweep on Dask needs Dask: pip install 'buyernet[dask]'; or pass executor=None "
            f"or a concurrent.futures.Executor (got {type(executor).__name__})"
        ) from None
    if isinstance(executor, str):
        executor = Client(executor)  # type: ignore[no-untyped-call]
    if isinstance(executor, Client):
        pool: concurrent.futures.Executor = executor.get_executor()  # type: ignore[no-untyped-call]
        return pool
    raise TypeError(
        "executor must be None, a dask.distributed.Client, a scheduler address or a "
        f"concurrent.futures.Executor; got {type(executor).__name__}"
    )


@contextlib.contextmanager
def local_executor(*, scheduler: str | None = None, workers: int | None = None) -> Iterator[Any]:
    """What to pass as an executor for a scheduler address or ``workers`` local worker
    processes (Dask if installed, else a spawn process pool), shut down when the block
    ends; None (this process) without either.

    Example:
        >>> with local_executor() as executor:
        ...     executor is None
        True
    """
    if scheduler:
        yield scheduler
        return
    if workers is None:
        yield None
        return
    workers = checks.integer(workers, "workers", 1, 2**63 - 1)
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        import multiprocessing

        with concurrent.futures.ProcessPoolExecutor(
            workers, mp_context=multiprocessing.get_context("spawn")
        ) as pool:
            yield pool
        return
    cluster = LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=workers, threads_per_worker=1, dashboard_address=None
    )
    try:
        client = Client(cluster)  # type: ignore[no-untyped-call]
        try:
            yield client
        finally:
            client.close()  # type: ignore[no-untyped-call]
    finally:
        cluster.close()


def run_tasks(
    function: Callable[[Any], R],
    tasks: Mapping[K, Any],
    *,
    executor: concurrent.futures.Executor | None = None,
    done: dict[K, R] | None = None,
    finished: Callable[[K, R], object] | None = None,
) -> dict[K, R]:
    """Run ``function`` on every task not already in ``done``, in this process or on
    ``executor``; ``finished(key, result)`` is called as each one ends (in the calling
    process, in order of completion). Pending tasks are cancelled if one fails or the run
    is interrupted.

    Returns:
        ``done`` with every task's result added.

    Example:
        >>> run_tasks(abs, {"a": -1, "b": 2}, done={"a": 1})
        {'a': 1, 'b': 2}
    """
    done = {} if done is None else done

    def record(key: K, result: R) -> None:
        done[key] = result
        if finished is not None:
            finished(key, result)

    todo = [k for k in tasks if k not in done]
    if executor is None:
        for key in todo:
            record(key, function(tasks[key]))
        return done
    futures = {executor.submit(function, tasks[key]): key for key in todo}
    try:
        for future in concurrent.futures.as_completed(futures):
            record(futures[future], future.result())
    except BaseException:
        for future in futures:
            future.cancel()
        raise
    return done


# -- checkpoints and seeds -----------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot record {type(value).__name__} in a sweep definition")


def fingerprint(definition: Mapping[str, Any]) -> str:
    """A hash of a run's whole definition (JSON; arrays as lists): equal only for the same
    work.

    Example:
        >>> fingerprint({"a": 1}) == fingerprint({"a": 1}) != fingerprint({"a": 2})
        True
    """
    return hashlib.sha256(
        json.dumps(definition, sort_keys=True, default=_plain).encode()
    ).hexdigest()


def task_seed(seed: int, key: str, block: int) -> int:
    """A task's seed in [0, 2**64), from the run's seed, the task's coordinates (as a
    string) and its block of replicates: the same wherever and whenever it runs.

    Example:
        >>> task_seed(1, '[["needs.observability", 0.5]]', 0) < 2**64
        True
    """
    digest = hashlib.sha256(f"{seed}|{key}|{block}".encode()).digest()
    return int.from_bytes(digest[:8], "little")


class Checkpoint:
    """Finished tasks kept in ``folder``, one JSON file each, written atomically.

    The folder's marker (``sweep.json``) holds the definition and its fingerprint; a folder
    holding another definition is refused, naming ``what`` may differ.

    Example:
        >>> import tempfile
        >>> folder = tempfile.mkdtemp()
        >>> c = Checkpoint(folder, {"seed": 1})
        >>> c.save((0, 0), [{"wins": 1.0}])
        >>> Checkpoint(folder, {"seed": 1}).load([(0, 0), (0, 4)])
        {(0, 0): [{'wins': 1.0}]}
        >>> Checkpoint(folder, {"seed": 2})  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        buyernet.exceptions.ParameterError: checkpoint ... holds a different sweep ...
    """

    def __init__(
        self,
        folder: str | Path,
        definition: Mapping[str, Any],
        *,
        what: str = "another grid, market, strategies, seed or size",
    ) -> None:
        self.folder = Path(folder)
        if self.folder.exists() and not self.folder.is_dir():
            raise ParameterError(f"checkpoint {self.folder} is a file; name a directory")
        self.folder.mkdir(parents=True, exist_ok=True)
        digest = fingerprint(definition)
        marker = self.folder / "sweep.json"
        if marker.exists():
            try:
                stored = json.loads(marker.read_text(encoding="utf-8"))
                if not isinstance(stored, dict):
                    raise ValueError("not a JSON object")
            except ValueError as err:
                raise ParameterError(
                    f"checkpoint {self.folder}: its sweep.json is not a checkpoint's ({err}); "
                    "use a new directory or delete it"
                ) from None
            if stored.get("fingerprint") != digest:
                raise ParameterError(
                    f"checkpoint {self.folder} holds a different sweep ({what}); use a new "
                    "directory or delete it"
                )
        else:
            write_atomically(
                marker,
                json.dumps({"fingerprint": digest, "definition": definition}, default=_plain),
            )

    def _path(self, key: Sequence[int]) -> Path:
        return self.folder / f"task-{'-'.join(str(k) for k in key)}.json"

    def load(self, keys: Iterable[Key]) -> dict[Key, Any]:
        """The results of the tasks among ``keys`` that finished before."""
        return {
            key: json.loads(self._path(key).read_text(encoding="utf-8"))
            for key in keys
            if self._path(key).exists()
        }

    def save(self, key: tuple[int, ...], result: Any) -> None:
        """Keep a finished task's result (JSON)."""
        write_atomically(self._path(key), json.dumps(result))


# -- dotted parameters ---------------------------------------------------------------------


def check_key(key: str, *, label: str = "grid key") -> None:
    """Refuse a dotted path that starts with neither a market section (``needs`` or, as in
    scenario files, ``market.needs``) nor ``strategies.<name>`` (``alternatives.<name>``)
    or ``rivals.<brand>`` (before anything is built).

    Example:
        >>> check_key("needs.observability")
        >>> check_key("nothing.at_all")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        buyernet.exceptions.ParameterError: grid key 'nothing.at_all' must start with ...
    """
    head = canonical_key(key).split(".")[0]
    if head not in _SECTIONS and head not in _STRATEGY_HEADS:
        raise ParameterError(
            f"{label} {key!r} must start with a market section "
            f"({', '.join(_SECTIONS)}, or market.<section>), 'strategies.<name>' "
            "(or 'alternatives.<name>', as in scenario files) or 'rivals.<brand>'"
        )


def canonical_key(key: str) -> str:
    """A dotted path in one spelling: the scenario file's ``market.<section>.<field>`` and
    ``alternatives.<name>.<field>`` become ``<section>.<field>`` and
    ``strategies.<name>.<field>`` (so either spelling draws the same market).

    Example:
        >>> canonical_key("market.needs.observability"), canonical_key("alternatives.q.budget")
        ('needs.observability', 'strategies.q.budget')
    """
    parts = key.split(".")
    if parts[0] == "market" and len(parts) > 1:
        parts = parts[1:]
    elif parts[0] == "alternatives":
        parts = ["strategies", *parts[1:]]
    return ".".join(parts)


def _set(d: dict[str, Any], path: Sequence[str], value: Any, where: str, label: str) -> None:
    for key in path[:-1]:
        if not isinstance(d.get(key), dict):
            raise ParameterError(f"{label} {where!r}: {key!r} is not a section")
        d = d[key]
    if path[-1] not in d:
        raise ParameterError(f"{label} {where!r}: unknown field {path[-1]!r}")
    d[path[-1]] = list(value) if isinstance(value, tuple) else value


@dataclass
class Setup:
    """A market and named strategies as the plain dicts the engine reads
    (``Market.to_dict``, ``Strategy.to_dict``), to change by dotted paths.

    Attributes:
        market: the market's sections and fields.
        strategies: the alternatives' strategies by name (``strategies.<name>.<field>``).
        rivals: the rivals' strategies by brand (``rivals.<brand>.<field>``).

    Example:
        >>> import buyernet
        >>> s = Setup.of(buyernet.Market(), {}, {"rival_1": buyernet.Strategy.quantum(10)})
        >>> s.set("rivals.rival_1.creative.shareability", 0.9)
        False
        >>> s.set("market.needs.observability", 0.5)  # as in a scenario file
        True
        >>> s.check()  # the values are valid for the engine
    """

    market: dict[str, Any]
    strategies: dict[str, dict[str, Any]]
    rivals: dict[str, dict[str, Any]]

    @classmethod
    def of(
        cls,
        market: Market,
        strategies: Mapping[str, Plan],
        rivals: Mapping[str, Plan],
    ) -> Setup:
        """Fresh dicts of a market and strategies, safe to change."""
        return cls(
            market=market.to_dict(),
            strategies={k: v.to_dict() for k, v in strategies.items()},
            rivals={k: v.to_dict() for k, v in rivals.items()},
        )

    def set(self, key: str, value: Any, *, label: str = "grid key") -> bool:
        """Set the field at dotted path ``key`` to ``value`` (tuples as lists).

        Returns:
            whether it is a market field (market fields change the market's draws;
            strategy fields do not).
        """
        parts = canonical_key(key).split(".")
        if parts[0] in _STRATEGY_HEADS:
            table = self.strategies if parts[0] == "strategies" else self.rivals
            if len(parts) < 3 or parts[1] not in table:
                raise ParameterError(
                    f"{label} {key!r}: {parts[0]}.<name>.<field> with a name in "
                    f"{', '.join(table) or '(none)'}"
                )
            _set(table[parts[1]], parts[2:], value, key, label)
            return False
        _set(self.market, parts, value, key, label)
        return True

    def check(self) -> None:
        """Validate everything as the engine would, so that bad values fail before any
        task runs.
        """
        Market.from_dict(self.market)
        for d in (*self.strategies.values(), *self.rivals.values()):
            plan_from_dict(d)
