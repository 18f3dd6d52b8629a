"""The public surface: names, docstrings, doctests, the demo, and the native module's stubs."""

from __future__ import annotations

import doctest
import importlib
import importlib.metadata
import importlib.util
import inspect
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import buyernet

PUBLIC_MODULES = [
    "buyernet",
    "buyernet.network",
    "buyernet.cascade",
    "buyernet.exceptions",
    "buyernet.market",
    "buyernet.simulation",
]


def test_all_names_exist_and_are_documented():
    assert sorted(buyernet.__all__) == sorted(set(buyernet.__all__)), "duplicates in __all__"
    expected = {
        "BuyernetError",
        "CascadeTrace",
        "Graph",
        "ParameterError",
        "Spread",
        "__version__",
        "cascade",
        "cascade_sizes",
        "expected_spread",
        "random_seeds",
        "replay",
        # Seeding.
        "SeedSelection",
        "select_seeds",
        # The market.
        "Brands",
        "Careers",
        "Committees",
        "Customers",
        "Decisions",
        "Market",
        "Needs",
        "Network",
        "Population",
        "Results",
        "Start",
        "market_network",
        "simulate",
        # Marketing.
        "Advertising",
        "Comparison",
        "Creative",
        "Difference",
        "FUNCTIONS",
        "Referrals",
        "STAGES",
        "Strategy",
        "Synergy",
        "SynergyWarning",
        "Targeting",
        "Timing",
        "compare",
        "synergy",
        # Sweeps.
        "Sweep",
        "sweep",
        # Money.
        "Media",
        "MediaPlan",
        "ResponseCurve",
        "response_curve",
    }
    assert set(buyernet.__all__) == expected
    for name in buyernet.__all__:
        obj = getattr(buyernet, name)
        if name == "__version__":
            assert obj == importlib.metadata.version("buyernet")
            continue
        doc = inspect.getdoc(obj)
        assert doc and doc.strip(), f"buyernet.{name} has no docstring"
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert ">>>" in doc, f"buyernet.{name}: its docstring has no example"


def test_public_methods_and_properties_are_documented():
    for cls in (buyernet.Graph, buyernet.CascadeTrace, buyernet.Spread):
        for name, member in vars(cls).items():
            if name.startswith("_"):
                continue
            if callable(member) or isinstance(member, (property, classmethod, staticmethod)):
                assert inspect.getdoc(getattr(cls, name)), f"{cls.__name__}.{name} undocumented"
    for mod in PUBLIC_MODULES:
        module = importlib.import_module(mod)
        assert inspect.getdoc(module), f"{mod} has no module docstring"
        for name in getattr(module, "__all__", []):
            assert hasattr(module, name), f"{mod}.__all__ lists missing {name}"


def test_result_types():
    g = buyernet.Graph.from_edges([0, 1], [1, 2])
    t = buyernet.cascade(g, [0], 1.0, seed=1)
    assert isinstance(t, buyernet.CascadeTrace)
    gen, parent = t  # a named tuple
    assert gen is t.generation and parent is t.parent
    s = buyernet.expected_spread(g, [0], 1.0, runs=4, seed=1)
    assert isinstance(s, buyernet.Spread)
    assert s == (3.0, 0.0, 4)
    assert isinstance(s.mean, float) and isinstance(s.stderr, float) and isinstance(s.runs, int)
    sizes = buyernet.cascade_sizes(g, [0], 1.0, runs=4, seed=1)
    assert isinstance(sizes, np.ndarray) and sizes.dtype == np.int64
    assert buyernet.random_seeds(3) == buyernet.random_seeds(3)
    with pytest.raises(AttributeError):
        buyernet.random_seeds(3).k = 4  # frozen


def test_py_typed_marker_is_installed():
    root = Path(buyernet.__file__).parent
    assert (root / "py.typed").exists()
    assert (root / "_core.pyi").exists()


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0


def run(*args: str, cwd=None, timeout=120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env={**os.environ, "RUST_BACKTRACE": "0"},
    )


def test_demo_runs():
    result = run("-m", "buyernet", "tour", "--nodes", "20000", "--runs", "20")
    assert result.returncode == 0, result.stderr
    assert "network:" in result.stdout
    assert "20,000 people" in result.stdout
    assert "top spreader" in result.stdout


def test_demo_help():
    result = run("-m", "buyernet", "tour", "--help")
    assert result.returncode == 0
    assert "--nodes" in result.stdout and "--runs" in result.stdout


def mypy_available() -> bool:
    return importlib.util.find_spec("mypy") is not None


@pytest.mark.skipif(not mypy_available(), reason="mypy is not installed")
def test_stubs_match_the_native_module(tmp_path):
    # Run outside the source tree so mypy checks the installed package.
    result = run(
        "-m", "mypy.stubtest", "buyernet._core", "--mypy-config-file", os.devnull, cwd=tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr


TYPED_USAGE = """
from __future__ import annotations

import numpy as np
import numpy.typing as npt

import buyernet


def reach(g: buyernet.Graph) -> float:
    est: buyernet.Spread = buyernet.expected_spread(
        g, buyernet.random_seeds(3), 0.1, runs=10, seed=1
    )
    sizes: npt.NDArray[np.int64] = buyernet.cascade_sizes(g, [0, 1], "weights", runs=5, seed=2)
    trace: buyernet.CascadeTrace = buyernet.cascade(g, np.array([0]), 0.5, seed=3)
    gens: npt.NDArray[np.int32] = trace.generation
    return est.mean + float(sizes.sum()) + trace.size + float(gens.max())


g = buyernet.Graph.barabasi_albert(100, 2, seed=1)
h = buyernet.Graph.from_edges([0, 1], [1, 2], n=3, weights=[0.5, 0.5], directed=True)
src, dst, w = h.to_edges()
n: int = g.n_nodes + g.n_edges + g.n_stored + g.nbytes
ok: bool = g.directed or g.weighted or g == h
print(reach(h), n, ok, src, dst, w, g.degrees(), g.neighbors(0), g.csr())
"""


@pytest.mark.skipif(not mypy_available(), reason="mypy is not installed")
def test_typed_usage_passes_mypy_strict(tmp_path):
    snippet = tmp_path / "usage.py"
    snippet.write_text(textwrap.dedent(TYPED_USAGE))
    result = run(
        "-m",
        "mypy",
        "--strict",
        "--config-file",
        os.devnull,
        "--cache-dir",
        str(tmp_path / ".mypy_cache"),
        str(snippet),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # And the snippet runs.
    done = run(str(snippet), cwd=tmp_path)
    assert done.returncode == 0, done.stderr


def test_readme_examples_run(tmp_path, monkeypatch):
    readme = Path(__file__).resolve().parents[1] / "README.md"
    blocks = re.findall(r"```python\n(.*?)```", readme.read_text(), re.S)
    assert len(blocks) >= 2
    monkeypatch.chdir(tmp_path)  # the examples write files
    for block in blocks:
        exec(compile(block, str(readme), "exec"), {})
    assert (tmp_path / "scenario.toml").exists() and (tmp_path / "run.npz").exists()


@pytest.mark.parametrize("threads", [1, 2])
def test_progress_hears_the_market_build_then_the_periods(threads):
    """A progress callback with a ``building`` method hears the share of the markets built,
    rising to 1, before and while periods are counted; a plain callable hears periods only."""
    market = buyernet.Market().replace(population={"people": 60_000, "companies": 3_000})

    class Progress:
        def __init__(self) -> None:
            self.built: list[float] = []
            self.done: list[int] = []

        def __call__(self, done: int) -> None:
            self.done.append(done)

        def building(self, share: float) -> None:
            self.built.append(share)

    heard = Progress()
    buyernet.simulate(market, periods=30, replicates=3, seed=4, threads=threads, progress=heard)
    assert heard.built and heard.built == sorted(heard.built), heard.built
    assert 0 <= heard.built[0] < 1 and heard.built[-1] == 1.0
    assert heard.done == sorted(heard.done) and heard.done[-1] == 90, "the last report: all done"
    plain: list[int] = []
    buyernet.simulate(market, periods=3, replicates=1, seed=4, progress=plain.append)
    assert all(isinstance(d, int) for d in plain)
