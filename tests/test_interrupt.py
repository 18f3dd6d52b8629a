"""Ctrl-C stops a long computation promptly with KeyboardInterrupt, and the interpreter (and
buyernet) keep working afterwards.

The work runs in a child interpreter so that the signal cannot hit the test runner. The only
timing in this file is a generous bound on how long the child may take to stop.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX signals")

CHILD = """
import signal
import sys

import buyernet

# Python only installs its SIGINT handler if SIGINT was not ignored when it started (as it is
# for background jobs of a non-interactive shell); make sure the child sees Ctrl-C.
signal.signal(signal.SIGINT, signal.default_int_handler)

graph = buyernet.Graph.barabasi_albert(300_000, 10, seed=1)
seeds = buyernet.random_seeds(10)
print("ready", flush=True)
try:
    {call}
except KeyboardInterrupt:
    print("interrupted", flush=True)
    # Buyernet still works after the interruption, and gives the usual answer.
    small = buyernet.Graph.from_edges([0, 1], [1, 2])
    sizes = buyernet.cascade_sizes(small, [0], 1.0, runs=5, seed=1, threads=2)
    print("recovered", sizes.tolist(), flush=True)
    raise
print("finished", flush=True)
"""

# Each of these is minutes of work (R >> 1 on a 3M-edge graph: every run reaches most of
# the 300k nodes), so only an interruption can end it within the time allowed below.
CALLS = {
    "cascade_sizes": "buyernet.cascade_sizes(graph, seeds, 0.05, runs=10**6, seed=1)",
    "cascade_sizes-1-thread": (
        "buyernet.cascade_sizes(graph, seeds, 0.05, runs=10**6, seed=1, threads=1)"
    ),
    "expected_spread": "buyernet.expected_spread(graph, seeds, 0.05, runs=10**6, seed=1)",
    "simulate": "buyernet.simulate(buyernet.Market(), periods=10**6, replicates=8, seed=1)",
    "simulate-1-thread": (
        "buyernet.simulate(buyernet.Market(), periods=10**6, replicates=8, seed=1, threads=1)"
    ),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_ctrl_c_interrupts_long_computation(name):
    code = textwrap.dedent(CHILD).format(call=CALLS[name])
    child = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "RUST_BACKTRACE": "0"},
    )
    try:
        assert child.stdout is not None
        first = child.stdout.readline()
        if first.strip() != "ready":
            child.kill()
            pytest.fail(f"child did not start: {first!r} {child.communicate()[1]}")
        # Let the call get going (the GIL is released, workers busy), then press Ctrl-C.
        try:
            child.wait(timeout=0.5)
        except subprocess.TimeoutExpired:
            pass
        assert child.poll() is None, "the computation ended by itself before Ctrl-C"
        child.send_signal(signal.SIGINT)
        # Generous: the engine promises "within a fraction of a second".
        out, err = child.communicate(timeout=20)
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    assert "interrupted" in out, err
    assert "finished" not in out
    assert "recovered [3, 3, 3, 3, 3]" in out, err
    assert "KeyboardInterrupt" in err
    assert "PanicException" not in err and "panicked" not in err
    assert child.returncode != 0
