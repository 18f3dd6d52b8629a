"""The ``buyernet`` command: every path, every bad input, reports and atomic output."""

from __future__ import annotations

import csv
import dataclasses
import html
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from markets import small_market

import buyernet
from buyernet.charts import CAPTIONS
from buyernet.report import CHARTS
from buyernet.scenario import BUDGET, Scenario, ScenarioError, example_toml

SMALL = ["--people", "2000", "--periods", "20", "--replicates", "2"]


def cli(*args: str, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "buyernet", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_compare_prints_the_table_and_writes_a_full_report(tmp_path):
    r = cli("compare", *SMALL, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "future_buyer_reach" in r.stdout and "95% interval" in r.stdout
    assert "simulating" in r.stderr, "progress on stderr"
    # Not a terminal: plain lines, no carriage returns; the market build is announced.
    assert "\r" not in r.stderr and "buyernet: building the market" in r.stderr
    out = tmp_path / "buyernet-compare"
    names = {p.name for p in out.iterdir()}
    assert {"report.html", "scenario.toml", "summary.json", "run.json", "results"} <= names
    tables = ("series", "runs", "campaigns", "campaign_series")
    assert {f"{t}.csv" for t in tables} <= names or {f"{t}.parquet" for t in tables} <= names
    # The money can be recomputed from the directory: the dark arm is saved, and the runs
    # table carries the compared brand's incremental outcomes per replicate.
    dark = buyernet.Results.load(out / "dark.npz").run_metrics()["revenue"][:, 0]
    arm = buyernet.Results.load(out / "results" / "quantum.npz").run_metrics()["revenue"][:, 0]
    if "runs.csv" in names:
        with open(out / "runs.csv", newline="") as f:
            rows = [r for r in csv.DictReader(f) if r["alternative"] == "quantum"]
    else:
        pd = pytest.importorskip("pandas")
        rows = pd.read_parquet(out / "runs.parquet").query("alternative == 'quantum'")
        rows = rows.astype(str).to_dict("records")
    gains = {
        int(r["replicate"]): float(r["incremental_revenue"]) for r in rows if r["brand"] == "us"
    }
    assert gains and np.allclose([gains[i] for i in range(len(dark))], arm - dark)
    assert all(r["incremental_revenue"] in ("", "nan") for r in rows if r["brand"] != "us")
    report = (out / "report.html").read_text()
    for chart in CHARTS:
        assert f"alt='{chart}' src='data:image/png;base64," in report, chart
        assert html.escape(CAPTIONS[chart]) in report, f"{chart}: a caption saying what to read"
    # It leads with money: the table, spend over time, cumulative incremental gross profit,
    # ROI per alternative, the response curves; then spend by campaign, the differences and
    # the market's charts.
    order = [
        "<h2>Money</h2>",
        "alt='spend'",
        "alt='incremental_profit'",
        "alt='roi'",
        "<h2>Response curves</h2>",
        "alt='response curves'",
        "<h2>Spend by campaign</h2>",
        "<h2>Paired differences</h2>",
        "alt='payoff'",
        "alt='wins'",
    ]
    at = [report.index(mark) for mark in order]
    assert at == sorted(at), dict(zip(order, at))
    assert "<table class='summary curves'>" in report
    assert "<table class='summary'>" in report and "seed 2026" in report
    # The scenario reads as tables; the full file sits behind a fold.
    assert "us (compared)" in report and "does not advertise" in report
    assert "what differs from the calibrated default" in report and "<details>" in report
    assert "http" not in report.split("<pre>")[0], "self-contained: nothing loaded from the web"
    # The saved scenario reproduces the run; the saved results load.
    scenario = Scenario.from_toml(out / "scenario.toml")
    assert scenario.periods == 20 and scenario.market.population.people == 2_000
    back = buyernet.Results.load(out / "results" / "quantum.npz")
    assert back.strategies["us"] == buyernet.Strategy.quantum(BUDGET)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "no temporary leftovers"


def test_json_quiet_and_show(tmp_path):
    r = cli("compare", *SMALL, "--json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["run"]["alternatives"] == ["quantum", "planetary"]
    wins = next(d for d in data["differences"] if d["metric"] == "wins")
    assert wins["baseline"] == "quantum" and wins["alternative"] == "planetary"
    assert "simulating" not in r.stderr
    shown = cli("show", "buyernet-compare", cwd=tmp_path)
    assert shown.returncode == 0 and "future_buyer_reach" in shown.stdout
    again = cli("show", "buyernet-compare", "--json", cwd=tmp_path)
    assert json.loads(again.stdout) == data
    quiet = cli("compare", *SMALL, "--quiet", "-o", "q", cwd=tmp_path)
    assert quiet.returncode == 0 and quiet.stdout == "" and "simulating" not in quiet.stderr


def test_existing_output_is_not_overwritten_without_force(tmp_path):
    (tmp_path / "buyernet-compare").mkdir()
    (tmp_path / "buyernet-compare" / "mine.txt").write_text("keep")
    r = cli("compare", *SMALL, cwd=tmp_path)
    assert r.returncode == 2 and "--force" in r.stderr
    assert (tmp_path / "buyernet-compare" / "mine.txt").read_text() == "keep"


def test_force_never_deletes_what_buyernet_did_not_write(tmp_path):
    # A directory buyernet did not write survives --force, refused before the run.
    (tmp_path / "somedir").mkdir()
    (tmp_path / "somedir" / "document.txt").write_text("keep")
    r = cli("compare", *SMALL, "-o", "somedir", "--force", cwd=tmp_path)
    assert r.returncode == 2 and "not written by buyernet" in r.stderr, r.stderr
    assert (tmp_path / "somedir" / "document.txt").read_text() == "keep"
    # The working directory, its ancestors and an input's directory are never replaced.
    (tmp_path / "notes.txt").write_text("keep")
    assert cli("init", "s.toml", cwd=tmp_path).returncode == 0
    for output, why in ((".", "working directory"), ("..", "ancestor"), ("/", "ancestor")):
        r = cli("run", "s.toml", "-o", output, "--force", cwd=tmp_path)
        assert r.returncode == 2 and why in r.stderr, (output, r.stderr)
    (tmp_path / "inputs").mkdir()
    (tmp_path / "inputs" / "s.toml").write_text((tmp_path / "s.toml").read_text())
    r = cli("run", "inputs/s.toml", "-o", "inputs", "--force", cwd=tmp_path)
    assert r.returncode == 2 and "directory of the input" in r.stderr, r.stderr
    # -o naming an existing file is refused up front, with or without --force.
    for force in ((), ("--force",)):
        r = cli("compare", *SMALL, "-o", "notes.txt", *force, cwd=tmp_path)
        assert r.returncode == 2 and "existing file" in r.stderr, r.stderr
    assert (tmp_path / "notes.txt").read_text() == "keep"
    assert (tmp_path / "inputs" / "s.toml").exists() and (tmp_path / "s.toml").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "no leftovers"


def test_force_replaces_only_buyernets_own_results(tmp_path):
    r = cli("compare", *SMALL, "--quiet", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    out = tmp_path / "buyernet-compare"
    marker = json.loads((out / ".buyernet-results").read_text())
    assert marker["format"] == 2 and "report.html" in marker["entries"]
    assert "results/quantum.npz" in marker["entries"], "nested files are listed too"
    r = cli("compare", *SMALL, "--quiet", "--force", "--seed", "7", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert json.loads((out / "run.json").read_text())["seed"] == 7
    # Something the user put inside since is not buyernet's to delete.
    (out / "my-analysis.ipynb").write_text("keep")
    r = cli("compare", *SMALL, "--quiet", "--force", cwd=tmp_path)
    assert r.returncode == 2 and "my-analysis.ipynb" in r.stderr, r.stderr
    assert (out / "my-analysis.ipynb").read_text() == "keep"
    # ... at any depth, and an input the run reads is never inside what it replaces.
    (out / "my-analysis.ipynb").unlink()
    (out / "results" / "notes.txt").write_text("keep")
    r = cli("compare", *SMALL, "--quiet", "--force", cwd=tmp_path)
    assert r.returncode == 2 and "results/notes.txt" in r.stderr, r.stderr
    assert (out / "results" / "notes.txt").read_text() == "keep"
    (out / "results" / "notes.txt").unlink()
    assert cli("init", "s.toml", cwd=tmp_path).returncode == 0
    (tmp_path / "s.toml").rename(out / "results" / "s.toml")
    r = cli("run", "buyernet-compare/results/s.toml", "-o", "buyernet-compare", "--force",
            "--quiet", cwd=tmp_path)  # fmt: skip
    assert r.returncode == 2 and "holds the input" in r.stderr, r.stderr
    assert (out / "results" / "s.toml").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "no leftovers"


def test_an_alternative_name_never_reaches_outside_the_results(tmp_path):
    (tmp_path / "victim.npz").write_text("USER DATA")
    path = tmp_path / "t.toml"
    path.write_text('[run]\nperiods = 2\nreplicates = 1\n[alternatives."../../victim"]\n'
                    'preset = "quantum"\nbudget = 300\n[market.population]\npeople = 1000\n'
                    'companies = 50\n')  # fmt: skip
    r = cli("run", "t.toml", "--quiet", "--no-curves", "-o", "out", cwd=tmp_path)
    assert r.returncode == 2 and "usable as a file name" in r.stderr, r.stderr
    assert (tmp_path / "victim.npz").read_text() == "USER DATA"
    assert not (tmp_path / "out").exists()


def test_a_scenario_with_names_toml_must_quote_reads_back(tmp_path):
    s = Scenario.default().replace(
        alternatives={"broad reach": buyernet.Strategy.quantum(300), "a.b": buyernet.Strategy(300)},
        periods=3,
    )
    s.to_toml(tmp_path / "s.toml")
    assert Scenario.from_toml(tmp_path / "s.toml") == s


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_output_gets_the_users_normal_permissions(tmp_path):
    env_umask = 0o022
    old = os.umask(env_umask)
    try:
        assert cli("init", "s.toml", cwd=tmp_path).returncode == 0
        r = cli("compare", *SMALL, "--quiet", cwd=tmp_path)
    finally:
        os.umask(old)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "s.toml").stat().st_mode & 0o777 == 0o644
    out = tmp_path / "buyernet-compare"
    assert out.stat().st_mode & 0o777 == 0o755
    assert (out / "report.html").stat().st_mode & 0o777 == 0o644


def test_a_scenario_written_by_init_runs_unchanged(tmp_path):
    assert cli("init", "s.toml", cwd=tmp_path).returncode == 0
    text = (tmp_path / "s.toml").read_text()
    for section in ("[run]", "[alternatives.quantum]", "[rivals.rival_1]", "[market.needs]",
                    "[market.advertising]", "[market.referrals]"):  # fmt: skip
        assert section in text, section
    assert cli("init", "s.toml", cwd=tmp_path).returncode == 2, "no silent overwrite"
    r = cli("run", "s.toml", "--quiet", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    data = json.loads((tmp_path / "s-results" / "run.json").read_text())
    assert data["alternatives"] == ["quantum", "planetary", "brand_and_abm", "custom"]
    assert data["periods"] == 208 and data["replicates"] == 8


def scenario_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("[runn]\nperiods = 3\n", r"bad\.toml: runn: unknown section"),
        ("[run]\nperiod = 3\n", r"bad\.toml: run\.period: unknown key"),
        ("[run]\nperiods = 'ten'\n", r"bad\.toml: run\.periods must be an integer"),
        ("[run]\nperiods = 0\n", r"bad\.toml: run\.periods must be in \[1, "),
        ("[market.needs]\nin_market_share = 2.0\n", r"market\.needs\.in_market_share must"),
        ("[market.needs]\nshare = 0.1\n", r"bad\.toml: market: unknown field needs\.share"),
        ("[alternatives.a]\nbudget = -1\n", r"bad\.toml: alternatives\.a\.budget must be in"),
        ("[alternatives.a]\nbudget = 5\nflavour = 1\n", r"alternatives\.a: unknown strategy field"),
        ("[alternatives.a]\npreset = 'cosmic'\nbudget = 5\n", r"alternatives\.a: preset must be"),
        ("[alternatives.a]\nbudget = 5\n[alternatives.a.timing]\nkind = 'sometimes'\n",
         r"alternatives\.a: timing kind must be"),
        ("[alternatives.a]\nbudget = 50\n[rivals.us]\nbudget = 50\n",
         r"rivals\.us: is the compared"),
        ("[run]\nbrand = 'them'\n", r"unknown brand 'them'"),
        ("not toml at all = = =", r"bad\.toml: not valid TOML"),
        ("[alternatives.a]\nbudget = 5\n[alternatives.a.targeting]\nkind = 'narrow'\n"
         "functions = [99]\n", r"bad\.toml: alternatives\.a\.targeting\.functions must be"),
        ("[rivals.rival_1]\nbudget = 5\n[rivals.rival_1.targeting]\nkind = 'narrow'\n"
         "accounts = [999999]\n", r"bad\.toml: rivals\.rival_1\.targeting\.accounts must be"),
        ("[alternatives.a]\nbudget = 5\n[alternatives.a.targeting]\nkind = 'scored'\n"
         "top_share = 3\n", r"bad\.toml: alternatives\.a\.targeting\.top_share must be"),
    ],
)  # fmt: skip
def test_bad_scenarios_exit_2_name_file_and_key_and_write_nothing(tmp_path, text, match):
    path = scenario_file(tmp_path, text)
    with pytest.raises(ScenarioError, match=match):
        Scenario.from_toml(path)
    before = set(tmp_path.iterdir())
    r = cli("run", "bad.toml", cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    assert "bad.toml" in r.stderr and r.stderr.startswith("buyernet: error:")
    assert set(tmp_path.iterdir()) == before, "nothing written"


def test_other_bad_input_exits_2(tmp_path):
    assert cli("run", "missing.toml", cwd=tmp_path).returncode == 2
    assert cli("show", ".", cwd=tmp_path).returncode == 2
    assert cli("compare", "--people", "10", cwd=tmp_path).returncode == 2
    assert cli("frobnicate", cwd=tmp_path).returncode == 2
    assert cli("compare", "--periods", "x", cwd=tmp_path).returncode == 2
    assert not (tmp_path / "buyernet-compare").exists()


def test_ctrl_c_leaves_no_output(tmp_path):
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "buyernet",
            "compare",
            "--people",
            "100000",
            "--replicates",
            "40",
            "--quiet",
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(3)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted" in err
    assert list(tmp_path.iterdir()) == [], "nothing written, no temporary directory left"


def test_scenarios_round_trip(tmp_path):
    s = Scenario.default().replace(periods=12, baseline="planetary")
    s.to_toml(tmp_path / "s.toml")
    assert Scenario.from_toml(tmp_path / "s.toml") == s
    assert "[alternatives.quantum]" in example_toml()


def test_notebook_views():
    m = small_market(2_000, 100)
    alternatives = {"q": buyernet.Strategy.quantum(200), "p": buyernet.Strategy.planetary(200)}
    c = buyernet.compare(m, alternatives, periods=8, replicates=2, seed=1)
    assert "<table" in c._repr_html_() and "future_buyer_reach" in c._repr_html_()
    r = c.results["q"]
    assert "<table" in r._repr_html_() and "us" in r._repr_html_()
    for chart in CHARTS:
        fig = c.plot(chart)
        ax = fig.axes[0]
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel(), chart
    fig = r.plot("impressions")
    assert fig.axes[0].get_legend() is not None
    with pytest.raises(buyernet.ParameterError, match="unknown chart"):
        c.plot("pie")


@pytest.mark.skipif(os.name != "posix", reason="console script path")
def test_the_console_script_is_installed():
    r = subprocess.run(["buyernet", "--help"], capture_output=True, text=True, check=False)
    assert r.returncode == 0 and "compare" in r.stdout and "Exit codes" in r.stdout


def test_the_readme_scenario_reads(tmp_path):
    import re

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    (block,) = re.findall(r"```toml\n(.*?)```", readme, re.S)
    (tmp_path / "readme.toml").write_text(block)
    s = Scenario.from_toml(tmp_path / "readme.toml")
    assert list(s.alternatives) == ["quantum", "abm", "both"] and s.replicates == 16
    assert isinstance(s.alternatives["both"], buyernet.MediaPlan)
    assert s.alternatives["abm"].timing == buyernet.Timing.triggered(window=6)
    assert s.market.needs.observability == 0.2


def test_version_defaults_and_ranges_are_said(tmp_path):
    r = cli("--version", cwd=tmp_path)
    assert r.returncode == 0 and r.stdout.strip() == f"buyernet {buyernet.__version__}"
    for command in ("compare", "run", "init", "sweep", "show"):
        text = cli(command, "--help", cwd=tmp_path).stdout
        assert "usage:" in text and len(text.split("\n\n")) >= 3, command  # a description
    run_help = " ".join(cli("run", "--help", cwd=tmp_path).stdout.split())
    assert "default: the input file's name with -results" in run_help
    r = cli("compare", "--people", "1000000000000", cwd=tmp_path)
    assert r.returncode == 2 and "[1000, 4294967295]" in r.stderr, r.stderr
    assert "wrong type" not in r.stderr


def test_a_networkx_graph_or_scipy_matrix_is_taken_as_the_network():
    nx = pytest.importorskip("networkx")
    m = small_market(2_000, 100)
    ring = nx.cycle_graph(2_000)
    as_graph = buyernet.Graph.from_networkx(ring)
    a = buyernet.simulate(m, periods=5, replicates=1, seed=1, network=ring)
    b = buyernet.simulate(m, periods=5, replicates=1, seed=1, network=as_graph)
    assert np.array_equal(a.series("endorsed"), b.series("endorsed"))
    with pytest.raises(buyernet.ParameterError, match="convert_node_labels_to_integers"):
        buyernet.simulate(m, periods=1, replicates=1, seed=1, network=nx.path_graph(5))
    sp = pytest.importorskip("scipy.sparse")
    c = buyernet.simulate(
        m, periods=5, replicates=1, seed=1, network=sp.csr_array(nx.to_scipy_sparse_array(ring))
    )
    assert np.array_equal(a.series("endorsed"), c.series("endorsed"))
    with pytest.raises(TypeError, match="a networkx graph or a SciPy sparse matrix"):
        buyernet.simulate(m, periods=1, replicates=1, seed=1, network="ring")  # type: ignore[arg-type]


def test_hourglass_columns_are_series_and_synergy_takes_a_network():
    m = small_market(2_000, 100)
    r = buyernet.simulate(m, periods=4, replicates=2, seed=1)
    from buyernet.export import series_columns

    frame_columns = series_columns(r)
    for stage in buyernet.STAGES:
        name = f"hourglass_{stage}"
        assert name in frame_columns
        assert np.array_equal(r.series(name).reshape(-1), frame_columns[name])
    assert r.plot("hourglass_know").axes[0].get_ylabel() == "hourglass_know"
    ring = buyernet.Graph.watts_strogatz(2_000, 4, 0.1, seed=1)
    s = buyernet.synergy(m, buyernet.Strategy.quantum(200), periods=4, replicates=2, seed=1,
                         network=ring)  # fmt: skip
    assert set(s.wins) == {"both", "brand", "demand", "neither"}


def test_a_comparison_saves_and_loads(tmp_path):
    m = small_market(2_000, 100)
    alternatives = {"q/1": buyernet.Strategy.quantum(200), "p": buyernet.Strategy.planetary(200)}
    c = buyernet.compare(m, alternatives, periods=6, replicates=2, seed=3, baseline="p")
    c.save(tmp_path / "c")
    back = buyernet.Comparison.load(tmp_path / "c")
    assert back.alternatives == c.alternatives == ("p", "q/1") and back.brand == c.brand
    assert [repr(d) for d in back.table()] == [repr(d) for d in c.table()]  # NaN-aware
    with pytest.raises(buyernet.BuyernetError, match="--force"):
        c.save(tmp_path / "c")
    c.save(tmp_path / "c", force=True)
    with pytest.raises(buyernet.ParameterError, match="no saved comparison"):
        buyernet.Comparison.load(tmp_path)


def test_one_scenario_format_across_market_run_and_init(tmp_path):
    market = small_market(2_000, 100, needs={"observability": 0.3})
    market.to_toml(tmp_path / "m.toml")
    assert "[market.needs]" in (tmp_path / "m.toml").read_text()
    assert buyernet.Market.from_toml(tmp_path / "m.toml") == market
    assert Scenario.from_toml(tmp_path / "m.toml").market == market
    r = cli("run", "m.toml", "--quiet", "--force", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    scenario = Scenario.from_toml(tmp_path / "m-results" / "scenario.toml")
    assert scenario.market == market
    # A full scenario file (as init writes it) reads as a market too.
    assert cli("init", "s.toml", cwd=tmp_path).returncode == 0
    assert (
        buyernet.Market.from_toml(tmp_path / "s.toml")
        == Scenario.from_toml(tmp_path / "s.toml").market
    )


def test_init_comments_every_market_field_from_its_reference():
    from buyernet.market import _SECTIONS
    from buyernet.scenario import _field_docs

    text = example_toml()
    for section, cls in _SECTIONS.items():
        docs = _field_docs(cls)
        assert f"[market.{section}]" in text
        for name in (f.name for f in dataclasses.fields(cls)):
            assert docs.get(name), (section, name)  # every field is documented
            first = " ".join(docs[name].split()[:4])
            assert first in " ".join(text.split()), (section, name)
    assert 'functions = ["it", "executive"]' in text


def test_big_runs_are_announced_and_refused_before_allocating(tmp_path):
    r = cli("compare", *SMALL, cwd=tmp_path)
    assert r.returncode == 0 and "MiB of memory; at most about" in r.stderr, r.stderr
    started = time.time()
    r = cli("compare", "--people", "4000000000", "-o", "big", cwd=tmp_path)
    assert r.returncode == 2 and "GiB of memory" in r.stderr and "--people" in r.stderr
    assert time.time() - started < 60, "refused before building anything"
    assert not (tmp_path / "big").exists()


def test_the_memory_estimate_grows_with_what_a_run_holds():
    from buyernet.simulation import estimate_bytes

    m = small_market(100_000, 5_000)
    q = {"q": buyernet.Strategy.quantum(100)}
    one = estimate_bytes(m, q, {}, "us", 52, 2, 1)
    assert estimate_bytes(small_market(200_000, 10_000), q, {}, "us", 52, 2, 1) > 1.8 * one
    assert estimate_bytes(m, {**q, "p": buyernet.Strategy.quantum(50)}, {}, "us", 52, 2, 1) > one
    assert estimate_bytes(m, q, {}, "us", 52, 2, 2) > one, "two replicates in flight"
    graph = buyernet.Graph.erdos_renyi(100_000, 4, seed=1)
    assert estimate_bytes(m, q, {}, "us", 52, 2, 1, network=graph) < one, "no network to draw"


def test_the_summary_reads_and_summary_json_is_what_json_prints(tmp_path):
    r = cli("compare", *SMALL, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "alternative - quantum, paired on the same market draws" in out
    assert "* = the 95% interval excludes 0" in out
    assert "share of deciders" in out and "%" in out and " pts" in out
    assert "planetary vs quantum:" in out, "a headline reconciling the metrics"
    saved = json.loads((tmp_path / "buyernet-compare" / "summary.json").read_text())
    shown = json.loads(cli("show", "buyernet-compare", "--json", cwd=tmp_path).stdout)
    assert saved == shown and set(saved) == {"run", "money", "curves", "differences"}
    # Money first: what each alternative spent, earned over the brand dark, and returned;
    # then each one's response curve; then the paired differences.
    assert out.index("money, per run") < out.index("response curves, per run")
    assert out.index("response curves, per run") < out.index("alternative - quantum")
    # `show` prints what `compare` printed.
    shown_text = cli("show", "buyernet-compare", cwd=tmp_path).stdout
    assert out.split("\nreport: ")[0] in shown_text
    assert [m["alternative"] for m in saved["money"]] == ["quantum", "planetary"]
    assert saved["differences"][0]["metric"] == "spend"
    wins = next(d for d in saved["differences"] if d["metric"] == "wins")
    assert wins["unit"] == "deals" and wins["better"] == "higher"
    one = cli("compare", "--people", "2000", "--periods", "5", "--replicates", "1", "-o", "one",
              cwd=tmp_path)  # fmt: skip
    assert one.returncode == 0 and "warning: with one replicate there is no interval" in one.stdout


def test_compare_draws_response_curves_by_default_at_half_and_twice_the_budget(tmp_path):
    r = cli("compare", *SMALL, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    saved = json.loads((tmp_path / "buyernet-compare" / "summary.json").read_text())
    for name in ("quantum", "planetary"):
        assert [row["budget"] for row in saved["curves"][name]] == [BUDGET / 2, BUDGET, 2 * BUDGET]
        # The budget it runs at is its own arm: the same money as the comparison's.
        money = next(m for m in saved["money"] if m["alternative"] == name)
        assert saved["curves"][name][1]["spend"] == money["spend"]
        assert saved["curves"][name][1]["incremental_roi"] == money["incremental_roi"]
    assert f"planetary    {2 * BUDGET:,.0f}" in r.stdout
    assert "4 of the 7 runs for the response curves; --no-curves skips them" in r.stderr
    report = (tmp_path / "buyernet-compare" / "report.html").read_text()
    assert report.count("<td>planetary</td><td>") >= 3, "a row per budget in the curves table"
    # --curves sets the budgets; --no-curves leaves them out.
    given = cli("compare", *SMALL, "--curves", "150,300", "-o", "given", cwd=tmp_path)
    assert given.returncode == 0, given.stderr
    saved = json.loads((tmp_path / "given" / "summary.json").read_text())
    assert [row["budget"] for row in saved["curves"]["quantum"]] == [150.0, 300.0]
    none = cli("compare", *SMALL, "--no-curves", "-o", "none", cwd=tmp_path)
    assert none.returncode == 0, none.stderr
    assert "response curves" not in none.stdout and "response curves" not in none.stderr
    assert "curves" not in json.loads((tmp_path / "none" / "summary.json").read_text())
    assert "<h2>Response curves</h2>" not in (tmp_path / "none" / "report.html").read_text()
    # A default budget the market refuses is left out and said; the run goes on.
    low = cli("compare", *SMALL, "--budget", "200", "-o", "low", cwd=tmp_path)
    assert low.returncode == 0, low.stderr
    assert "the response curve of planetary leaves out 100 a week" in low.stderr
    saved = json.loads((tmp_path / "low" / "summary.json").read_text())
    assert [row["budget"] for row in saved["curves"]["planetary"]] == [200.0, 400.0]
    bad = cli("compare", *SMALL, "--curves", "150,lots", "-o", "bad", cwd=tmp_path)
    assert bad.returncode == 2 and "--curves" in bad.stderr and not (tmp_path / "bad").exists()
    both = cli("compare", *SMALL, "--curves", "150", "--no-curves", "-o", "bad", cwd=tmp_path)
    assert both.returncode == 2 and "not allowed with" in both.stderr
    assert not (tmp_path / "bad").exists()


def _browser() -> str | None:
    import shutil

    return next(
        (b for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None
    )


@pytest.mark.skipif(_browser() is None, reason="no headless browser (CI installs chromium)")
def test_the_report_renders_in_a_browser_with_every_chart(tmp_path):
    r = cli("compare", *SMALL, "--quiet", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    report = tmp_path / "buyernet-compare" / "report.html"
    shot = tmp_path / "shot.png"
    subprocess.run(
        [_browser(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         "--window-size=1280,9000", f"--screenshot={shot}", report.as_uri()],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    import matplotlib.image

    image = matplotlib.image.imread(shot)
    assert image.shape[:2] == (9000, 1280)
    # Every chart is drawn: the page is not blank, and charts fill its length.
    colours = np.unique((image[..., :3] * 255).astype(np.uint8).reshape(-1, 3), axis=0)
    assert len(colours) > 200, "charts drawn, not just text"
    rows_with_ink = (image[..., :3].min(axis=2) < 0.9).any(axis=1).mean()
    assert rows_with_ink > 0.5, rows_with_ink


def test_a_log_hears_the_market_build_then_the_periods(capsys):
    """Not on a terminal, progress is plain lines: the build at each quarter, then the
    periods at each tenth; nothing about the build once periods are under way."""
    from buyernet.cli import _Progress

    progress = _Progress(total=200, quiet=False)
    for share in (0.1, 0.3, 0.55, 0.6, 1.0):
        progress.building(share)
    progress(100)
    progress.building(0.9)
    progress(200)
    progress.close()
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "buyernet: building the market, then simulating 200 periods"
    assert lines[1:3] == ["buyernet: building the market 25%", "buyernet: building the market 50%"]
    assert lines[3].startswith("buyernet: simulating 50% (100/200 periods")
    assert lines[4].startswith("buyernet: simulating 100% (200/200 periods")
    assert len(lines) == 5


def test_the_tour_and_sweep_files_refuse_bad_input_before_running(tmp_path):
    r = cli("tour", "--nodes", "5", cwd=tmp_path)
    assert r.returncode == 2 and "--nodes must be in [11," in r.stderr, r.stderr
    (tmp_path / "s.toml").write_text(
        '[grid]\n"needs.observability" = [0.05]\n[sweep]\nmetric = "winz"\n'
    )
    r = cli("sweep", "s.toml", cwd=tmp_path)
    assert r.returncode == 2 and "sweep.metric: 'winz' is not a swept outcome" in r.stderr
    (tmp_path / "s.toml").write_text('[grid]\n"needs.observability" = [0.05]\n')
    r = cli("sweep", "s.toml", "-o", "out", "--checkpoint", "out/ck", cwd=tmp_path)
    assert r.returncode == 2 and "lies inside the output" in r.stderr, r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.toml"]


def test_scenario_errors_name_the_key_at_fault(tmp_path):
    market = "[market.population]\npeople = 1000\ncompanies = 50\n[run]\nperiods = 2\n"
    for body, message in (
        ('[rivals.them]\npreset = "quantum"\nbudget = 300\n', "rivals.them: unknown brand"),
        ('[rivals.us]\npreset = "quantum"\nbudget = 300\n', "rivals.us: is the compared brand"),
        ('[alternatives.a]\nbudget = 300\ntargeting = "broad"\n',
         "alternatives.a: targeting must be a table"),
        ('[alternatives.a]\nbudget = 300\n[alternatives.a.timing]\nkind = "flighted"\n'
         "on = -1\n", "alternatives.a.timing.on must be in [1, 520]; got -1"),
    ):  # fmt: skip
        (tmp_path / "s.toml").write_text(market + body)
        r = cli("run", "s.toml", "--quiet", cwd=tmp_path)
        assert r.returncode == 2 and f"s.toml: {message}" in r.stderr, r.stderr
    (tmp_path / "g.toml").write_text(market + '[grid]\n"strategies.quantum.budget" = [-1]\n')
    r = cli("sweep", "g.toml", "--quiet", cwd=tmp_path)
    assert r.returncode == 2 and "g.toml: grid point strategies.quantum.budget = -1" in r.stderr


def test_force_refuses_a_directory_an_older_buyernet_wrote(tmp_path):
    out = tmp_path / "old"
    (out / "results").mkdir(parents=True)
    (out / "results" / "q.npz").write_text("results of an older version")
    (out / "report.html").write_text("report")
    (out / ".buyernet-results").write_text(
        json.dumps({"format": 1, "entries": ["report.html", "results"]})
    )
    r = cli("compare", *SMALL, "--quiet", "--no-curves", "-o", "old", "--force", cwd=tmp_path)
    assert r.returncode == 2 and "written by an older buyernet" in r.stderr, r.stderr
    assert (out / "results" / "q.npz").exists()
