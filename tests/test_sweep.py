"""Sweeps: identical tables with and without Dask, checkpoints, killed workers and drivers."""

from __future__ import annotations

import concurrent.futures
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from markets import small_market

import buyernet
from buyernet.sweeps import METRICS

HERE = Path(__file__).parent


def small_sweep(**kw):
    m = small_market(3_000, 150)
    alts = {"q": buyernet.Strategy.quantum(300), "p": buyernet.Strategy.planetary(300)}
    grid = {"needs.observability": [0.05, 0.5], "strategies.q.brand_share": [0.3, 0.7]}
    args = dict(grid=grid, periods=15, replicates=4, seed=5, block=2)
    args.update(kw)
    return buyernet.sweep(m, alts, **args)


def exactly_once(table: pd.DataFrame) -> bool:
    return not table.duplicated(["point", "alternative", "replicate"]).any()


@pytest.fixture(scope="module")
def reference():
    return small_sweep()


def test_the_table_is_tidy_and_paired(reference):
    t = reference.table
    assert len(t) == 4 * 2 * 4 and exactly_once(t)
    assert list(t.columns[:5]) == [
        "needs.observability",
        "strategies.q.brand_share",
        "point",
        "alternative",
        "replicate",
    ]
    c = reference.comparisons()
    assert set(c["alternative"]) == {"p"} and len(c) == 4 * len(METRICS)
    # Strategy coordinates do not change the market draws: the planetary arm is the same
    # at both values of the quantum arm's brand share.
    p = t[t["alternative"] == "p"]
    a = p[p["strategies.q.brand_share"] == 0.3].drop(columns=["strategies.q.brand_share", "point"])
    b = p[p["strategies.q.brand_share"] == 0.7].drop(columns=["strategies.q.brand_share", "point"])
    assert a.reset_index(drop=True).equals(b.reset_index(drop=True))
    assert set(reference.winners()["winner"]) <= {"q", "p", "no clear winner"}


def test_identical_tables_with_a_process_pool_and_with_dask(reference):
    spawn = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(2, mp_context=spawn) as pool:
        assert small_sweep(executor=pool).table.equals(reference.table)
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        assert small_sweep(executor=client).table.equals(reference.table)
        # One worker: the same again.
        cluster.scale(1)
        client.wait_for_workers(1)
        assert small_sweep(executor=client).table.equals(reference.table)


def test_a_worker_killed_mid_sweep_loses_nothing(reference):
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        pids = list(client.run(os.getpid).values())
        killed = threading.Event()

        def kill_one(done: int, total: int) -> None:
            if not killed.is_set():
                killed.set()
                os.kill(pids[0], signal.SIGKILL)

        result = small_sweep(executor=client, progress=kill_one)
        assert killed.is_set()
    assert exactly_once(result.table)
    assert result.table.equals(reference.table)


def test_checkpoints_resume_and_refuse_other_sweeps(tmp_path, reference):
    first = small_sweep(checkpoint=tmp_path)
    files = sorted(tmp_path.glob("task-*.json"))
    assert len(files) == first.tasks == 8 and (tmp_path / "sweep.json").exists()
    again = small_sweep(checkpoint=tmp_path)
    assert again.skipped == 8 and again.table.equals(reference.table)
    # Lose two tasks: only they run again.
    files[0].unlink()
    files[3].unlink()
    resumed = small_sweep(checkpoint=tmp_path)
    assert resumed.skipped == 6 and resumed.table.equals(reference.table)
    with pytest.raises(buyernet.ParameterError, match="holds a different sweep"):
        small_sweep(checkpoint=tmp_path, seed=6)
    with pytest.raises(buyernet.ParameterError, match="holds a different sweep"):
        small_sweep(checkpoint=tmp_path, periods=16)
    assert not list(tmp_path.glob(".tmp-*")), "no half-written files"


def test_a_killed_driver_resumes_with_every_task_once(tmp_path):
    checkpoint, out = tmp_path / "ck", tmp_path / "table.json"
    cmd = [sys.executable, str(HERE / "sweep_driver.py"), str(checkpoint), str(out)]
    proc = subprocess.Popen(cmd)
    deadline = time.time() + 120
    while len(list(checkpoint.glob("task-*.json"))) < 2 and time.time() < deadline:
        time.sleep(0.05)
    proc.kill()
    proc.wait()
    partial = len(list(checkpoint.glob("task-*.json")))
    assert 2 <= partial < 12, partial
    subprocess.run(cmd, check=True, timeout=300)
    table = pd.DataFrame(json.loads(out.read_text()))
    assert exactly_once(table) and len(table) == 6 * 2 * 4
    sys.path.insert(0, str(HERE))
    try:
        from sweep_driver import run
    finally:
        sys.path.pop(0)
    fresh = run(None).table
    pd.testing.assert_frame_equal(table.reset_index(drop=True), fresh, check_dtype=False)


def test_samples_and_bad_grids():
    latin = small_sweep(
        grid={"needs.observability": [0.0, 0.25, 0.5, 0.75], "committees.mean_size": [4.0, 8.0]},
        sample=4,
        method="latin",
        replicates=2,
    )
    assert latin.table["point"].nunique() == 4
    # Latin hypercube: every value of a 4-value parameter once in 4 points.
    assert sorted(latin.table.groupby("point")["needs.observability"].first()) == [
        0,
        0.25,
        0.5,
        0.75,
    ]
    rnd = small_sweep(sample=3, method="random", replicates=2)
    assert rnd.table["point"].nunique() == 3
    for grid, match in [
        ({"nothing.at_all": [1]}, "must start with a market section"),
        ({"needs.share": [0.1]}, "unknown field 'share'"),
        ({"needs.observability": []}, "non-empty list"),
        ({"needs.observability": [2.0]}, r"needs\.observability"),
        ({"strategies.x.budget": [1.0]}, r"strategies\.<name>\.<field>"),
        ({"rivals.rival_1.budget": [1.0]}, r"rivals\.<name>\.<field> with a name in \(none\)"),
    ]:
        with pytest.raises(buyernet.ParameterError, match=match):
            small_sweep(grid=grid)
    with pytest.raises(TypeError, match="executor must be"):
        small_sweep(executor=42)
    fork = multiprocessing.get_context("fork")
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=fork) as pool:
        with pytest.raises(buyernet.ParameterError, match="'spawn' or 'forkserver'"):
            small_sweep(executor=pool)


SWEEP_TOML = """
[run]
periods = 12
replicates = 4
seed = 3

[market.population]
people = 3000
companies = 150

[alternatives.quantum]
preset = "quantum"
budget = 300

[alternatives.planetary]
preset = "planetary"
budget = 300

[grid]
"needs.observability" = [0.05, 1.0]
"strategies.quantum.budget" = [300, 3000]

[sweep]
block = 2
"""


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "buyernet", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_the_sweep_command(tmp_path):
    (tmp_path / "s.toml").write_text(SWEEP_TOML)
    r = cli("sweep", "s.toml", "--workers", "2", "--checkpoint", "ck", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "winner by wins" in r.stdout and "sweeping" in r.stderr
    out = tmp_path / "s-results"
    report = (out / "report.html").read_text()
    assert "alt='winner' src='data:image/png;base64," in report
    assert {"winners.csv", "run.json", "summary.json", "sweep.toml"} <= {
        p.name for p in out.iterdir()
    }
    assert len(list((tmp_path / "ck").glob("task-*.json"))) == 8
    # Rerun from the checkpoint: nothing to compute, the same table.
    again = cli("sweep", "s.toml", "--checkpoint", "ck", "-o", "again", "--json", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["run"]["from_checkpoint"] == 8
    first = (out / "table.csv") if (out / "table.csv").exists() else out / "table.parquet"
    second = tmp_path / "again" / first.name
    assert first.read_bytes() == second.read_bytes()
    shown = cli("show", "again", cwd=tmp_path)
    assert shown.returncode == 0 and "winner" in shown.stdout
    assert cli("sweep", "s.toml", cwd=tmp_path).returncode == 2, "no overwrite without --force"
    # A changed sweep pointed at the old checkpoint is refused.
    (tmp_path / "s.toml").write_text(SWEEP_TOML.replace("seed = 3", "seed = 4"))
    stale = cli("sweep", "s.toml", "--checkpoint", "ck", "-o", "x", cwd=tmp_path)
    assert stale.returncode == 2 and "holds a different sweep" in stale.stderr


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (
            lambda t: t.replace('[grid]\n"needs.observability"', '[grid]\n"needs.share"'),
            "unknown field 'share'",
        ),
        (lambda t: t.replace("block = 2", "blocks = 2"), r"sweep\.blocks: unknown key"),
        (
            lambda t: t.replace(
                '"needs.observability" = [0.05, 1.0]', '"needs.observability" = []'
            ),
            "non-empty list",
        ),
        (lambda t: t.split("[grid]")[0], r"grid: a \[grid\] table"),
    ],
)
def test_bad_sweep_files_exit_2(tmp_path, edit, match):
    import re

    (tmp_path / "s.toml").write_text(edit(SWEEP_TOML))
    r = cli("sweep", "s.toml", cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    assert re.search(match, r.stderr), r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.toml"], "nothing written"


def test_a_grid_point_has_a_winner_only_where_the_paired_interval_excludes_zero():
    m = small_market(3_000, 150)
    same = {"a": buyernet.Strategy.quantum(300), "b": buyernet.Strategy.quantum(300)}
    grid = {"needs.observability": [0.05, 0.5]}
    tied = buyernet.sweep(m, same, grid=grid, periods=10, replicates=3, seed=1).winners()
    assert (tied["winner"] == "no clear winner").all()
    assert (tied["margin"] == 0).all() and (tied["low"] == 0).all()
    dark = {"loud": buyernet.Strategy.quantum(3_000), "dark": buyernet.Strategy.quantum(0)}
    clear = buyernet.sweep(m, dark, grid=grid, periods=30, replicates=4, seed=1)
    w = clear.winners("impressions")
    assert (w["winner"] == "loud").all() and (w["low"] > 0).all()
    assert list(w.columns) == ["needs.observability", "winner", "leader", "margin", "low", "high"]
    # Less unspent budget is better: the dark plan leaves none, the loud one hits the cap.
    u = clear.winners("unspent")
    assert (u["winner"] == "dark").all() and (u["margin"] > 0).all() and (u["low"] > 0).all()


def test_grid_keys_take_the_scenario_files_spelling():
    m = small_market(3_000, 150)
    strategies = {"q": buyernet.Strategy.quantum(300), "p": buyernet.Strategy.planetary(300)}
    kw = {"periods": 6, "replicates": 2, "seed": 4}
    ours = buyernet.sweep(
        m, strategies, grid={"needs.observability": [0.1], "strategies.q.brand_share": [0.3]}, **kw
    ).table
    files = buyernet.sweep(
        m,
        strategies,
        grid={"market.needs.observability": [0.1], "alternatives.q.brand_share": [0.3]},
        **kw,
    ).table
    values = [
        c for c in ours.columns if c not in ("needs.observability", "strategies.q.brand_share")
    ]
    assert ours[values].equals(files[values])


def test_winners_on_a_rate_count_the_runs_where_it_is_undefined():
    pd = pytest.importorskip("pandas")
    from buyernet.sweeps import Sweep

    # a spends 100 a run and wins customers in 3 of 4 runs; b wins one in every run. a's
    # CAC over the runs is 400 / 3 = 133, b's 400 / 4 = 100: b is cheaper, although a's
    # runs that won anyone had a CAC of 100 too.
    rows = []
    for alt, new in (("a", [0, 1, 1, 1]), ("b", [1, 1, 1, 1])):
        for r, n in enumerate(new):
            cac = 100.0 / n if n else float("nan")
            rows.append({"x": 1, "point": 0, "alternative": alt, "replicate": r,
                         "spend": 100.0, "new_customers": float(n), "cac": cac})  # fmt: skip
    s = Sweep(pd.DataFrame(rows), ["x"], "a", tasks=1, skipped=0)
    w = s.winners("cac")
    assert w["leader"].iloc[0] == "b"
    assert w["margin"].iloc[0] == pytest.approx(400 / 3 - 100)
    d = s.comparisons(("cac",))
    assert d["difference"].iloc[0] == pytest.approx(100 - 400 / 3)


def test_a_checkpoint_that_is_a_file_or_corrupt_is_refused_by_name(tmp_path):
    m = small_market(1_000, 50)
    kw = {"grid": {"needs.observability": [0.05]}, "periods": 2, "replicates": 1, "seed": 1}
    (tmp_path / "file").write_text("x")
    with pytest.raises(buyernet.ParameterError, match="is a file"):
        buyernet.sweep(m, {"q": buyernet.Strategy(100)}, checkpoint=tmp_path / "file", **kw)
    (tmp_path / "ck").mkdir()
    (tmp_path / "ck" / "sweep.json").write_text("{not json")
    with pytest.raises(buyernet.ParameterError, match=r"sweep\.json is not a checkpoint's"):
        buyernet.sweep(m, {"q": buyernet.Strategy(100)}, checkpoint=tmp_path / "ck", **kw)
