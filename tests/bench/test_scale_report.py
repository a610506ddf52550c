"""bench.scale's report: load average, ratios to floors, verdicts, the table, the five points.

Benchmarks are not run by the tests; what they print from their figures is, so a
wrong ratio or verdict cannot pass for a measured one.
"""

import pytest

from bench import scale
from bench.scale_report import (
    HttpOutcome,
    Part,
    Result,
    floor_ratio_parse,
    floors_link,
    load_average,
    load_average_parse,
    median_parse,
    memory_growth,
    points,
    points_report,
    table,
    throughput_parse,
)


def _timed(name: str, *ms: float, **fields) -> Result:
    return Result(name, f"the {name}", timings=[m / 1000 for m in ms], rounds=len(ms), **fields)


def test_the_load_average_is_the_first_field_of_proc_loadavg():
    assert load_average_parse("1.73 0.58 0.59 3/389 12345\n") == 1.73
    assert load_average() >= 0


def test_text_that_is_not_proc_loadavg_is_refused():
    with pytest.raises(ValueError, match="loadavg"):
        load_average_parse("busy")


def test_a_time_target_is_met_at_the_median_not_the_worst_round():
    assert _timed("page", 40, 45, 120, target_ms=50).verdict == "OK"
    assert _timed("page", 40, 55, 120, target_ms=50).verdict == "SLOW"


def test_a_rate_target_counts_the_rows_of_a_round_over_the_median_time():
    job = _timed("export-job", 900, 1000, 1100, rows=200_000, min_rate=200_000)

    assert job.rate == pytest.approx(200_000)
    assert job.verdict == "OK"
    job.rows = 150_000
    assert job.verdict == "SLOW"


def test_the_ratio_is_the_median_over_the_floor_measured_in_the_same_run():
    stream = _timed("export-stream", 600, 625, 700)
    job = _timed("export-job", 4300, 4375, 4500, floor="export-stream", max_ratio=10)
    other = _timed("add", 440, floor="copy-10000", max_ratio=2)

    floors_link([stream, job, other])

    assert job.floor_ms == pytest.approx(625)
    assert job.ratio == pytest.approx(7.0)
    assert job.verdict == "OK"
    # Its floor did not run: no ratio, and a ratio target cannot pass for met.
    assert other.ratio is None
    assert other.verdict == "NO FLOOR"


def test_a_floor_that_failed_gives_no_ratio():
    floor = _timed("copy-10000", 300, error="HTTP 500")
    add = _timed("add", 450, floor="copy-10000")

    floors_link([floor, add])

    assert add.ratio is None


def test_memory_that_grows_with_the_rows_fails_a_flat_memory_target():
    held = memory_growth(peak=9 * 1024**2, rows=200_000, probe_peak=2 * 1024**2, probe_rows=30_000)
    flat = memory_growth(peak=8_700_000, rows=200_000, probe_peak=8_650_000, probe_rows=30_000)

    assert held == pytest.approx(4.12, abs=0.01)
    assert flat is not None and flat < 0.1
    assert memory_growth(peak=1, rows=5, probe_peak=1, probe_rows=5) is None
    job = _timed("export-job", 800, rows=200_000, min_rate=200_000, flat_memory=True)
    job.memory_per_100k = held
    assert job.verdict == "GROWS"
    job.memory_per_100k = None
    assert job.verdict == "MEMORY NOT MEASURED"


def test_a_measurement_without_target_has_no_verdict_and_an_error_is_shown_as_such():
    assert _timed("copy-10000", 300).verdict == "-"
    assert _timed("copy-10000", 300).ok is None
    failed = _timed("list", 30, target_ms=150, error="HTTP 500")
    assert failed.verdict == "HTTP 500"
    assert failed.ok is False


def test_the_markdown_table_has_the_ratio_load_and_notes_of_each_row():
    stream = _timed("export-stream", 625, rows=200_000, load=1.1)
    job = _timed(
        "export-job", 4375, rows=200_000, min_rate=200_000, floor="export-stream", load=1.25
    )
    job.note = "the click answered in 7 ms"
    floors_link([stream, job])

    text = table([stream, job], markdown=True)
    lines = text.splitlines()

    assert lines[0] == (
        "| name | measurement | n | median ms | max ms | rows/s | queries | KB | floor ms | "
        "ratio | target | result | load |"
    )
    assert lines[1] == "|" + "---|" * 13
    assert lines[3] == (
        "| export-job | the export-job | 1 | 4,375.0 | 4,375.0 | 45,714 | - | 0.0 | 625.0 | "
        "7.0x | >= 200,000 rows/s | SLOW | 1.2 |"
    )
    assert lines[-1] == "- export-job: the click answered in 7 ms"


def test_the_text_table_lines_up_its_columns():
    text = table(
        [_timed("lookup", 6.9, target_ms=10, load=2.0), _timed("list-dates", 132.2)],
        markdown=False,
    )
    header, rule, lookup, listing = text.splitlines()

    # Numbers end where their heading ends; names start where theirs starts.
    end = header.index("median ms") + len("median ms")
    assert lookup[:end].endswith(" 6.9") and listing[:end].endswith(" 132.2")
    assert len(lookup) == len(listing) == len(header) == len(rule)
    assert lookup.split()[-2:] == ["OK", "2.0"]
    assert listing.split()[-3:] == ["-", "-", "-"]


def test_the_http_benchmarks_summary_lines_are_read():
    line = "lookup-http  4 clients  312 req/s  median 11.8 ms  p95 21.0 ms  errors 0  load 1.9"
    found = throughput_parse(line)

    assert found is not None
    assert (found.name, found.per_second, found.p95_ms, found.errors) == (
        "lookup-http",
        312,
        21.0,
        0,
    )
    assert throughput_parse("lookup-http: gunicorn started") is None
    assert median_parse("  idle          median   26.4  max   44.8  load 1.2  OK") == (
        "idle",
        26.4,
    )
    assert median_parse("median 3") is None
    browser = "  COPY floor 35 ms (41 ms with its COMMIT): wait / floor = 21.0 median, 19.2 best"
    assert floor_ratio_parse(browser) == 21.0
    assert floor_ratio_parse("wait: click to message shown   730    700") is None


def _all_measured(*, lookup_per_s: float) -> tuple[dict[str, Result], dict[str, HttpOutcome]]:
    results = {
        "api-list-dates": _timed("api-list-dates", 12, target_ms=50),
        "export-job": _timed("export-job", 900, rows=200_000, min_rate=200_000, flat_memory=True),
        "dashboard": _timed("dashboard", 25, target_ms=50),
        "coverage": _timed("coverage", 30, target_ms=50),
        "dashboard-busy": _timed("dashboard-busy", 40, target_ms=50),
        "coverage-busy": _timed("coverage-busy", 45, target_ms=50),
        "lookup-partial": _timed("lookup-partial", 8, target_ms=10),
    }
    results["export-job"].memory_per_100k = 0.02
    http = {
        "lookup-http": HttpOutcome(
            "lookup-http",
            "python -m bench.lookup_http",
            lines=[
                "lookup-partial-http  4 clients  350 req/s  median 9 ms  p95 20.0 ms  errors 0",
                f"lookup-http  4 clients  {lookup_per_s} req/s  median 9 ms  p95 20 ms  errors 0",
            ],
        ),
        "dashboard-http": HttpOutcome(
            "dashboard-http",
            "python -m bench.dashboard_http",
            lines=["  idle   median  26.4  max 30", "  2 busy loops  median 37.0  max 44.8"],
        ),
        "browser-wait": HttpOutcome(
            "browser-wait", "x", lines=["  COPY floor 60 ms: wait / floor = 9.5 median, 9.1 best"]
        ),
    }
    return results, http


def test_each_point_is_met_when_every_figure_that_judges_it_is():
    results, http = _all_measured(lookup_per_s=312)

    judged = points(results, http)

    assert [p.verdict for p in judged] == ["OK"] * 5
    assert judged[2].parts[-1].text == "gunicorn 2 busy loops 37.0 ms"


def test_a_point_is_missed_when_one_of_its_figures_is():
    results, http = _all_measured(lookup_per_s=192)

    judged = points(results, http)

    assert judged[3].verdict == "MISSED"
    assert judged[3].parts[0].text == "lookup-http 192 req/s, p95 20.0 ms"


def test_a_throughput_with_errors_is_not_met():
    results, http = _all_measured(lookup_per_s=312)
    http["lookup-http"].lines = ["lookup-http  4 clients  312 req/s  p95 20.0 ms  errors 3"]

    judged = points(results, http)

    assert judged[3].parts[0] == Part("lookup-http 312 req/s, p95 20.0 ms, 3 errors", False)


def test_a_point_whose_benchmark_did_not_run_says_so_rather_than_passing():
    results, http = _all_measured(lookup_per_s=312)
    http["lookup-http"] = HttpOutcome(
        "lookup-http", "x", missing="bench.lookup_http is not there yet"
    )
    del http["browser-wait"]
    http["dashboard-http"] = HttpOutcome("dashboard-http", "x", failed="exit code 1")

    judged = points(results, http)

    assert judged[3].verdict == "OK where measured"
    assert "not run: bench.lookup_http is not there yet" in judged[3].parts[0].text
    assert judged[4].verdict == "NOT MEASURED"
    assert judged[2].verdict == "MISSED"
    report = points_report(judged, markdown=True).splitlines()
    assert report[0] == "| point | measured | target | verdict |"
    assert report[-1] == (
        "| 5. The wait for 10,000 serials in Chromium (make run) | browser-wait not run | "
        "10x a bare COPY | NOT MEASURED |"
    )


def test_only_runs_the_floor_of_what_it_names_and_the_http_benchmarks_by_name():
    entries, benches = scale.selected(["export-job,import", "lookup-*"])

    assert [e.name for e in entries] == [
        "lookup-partial",
        "export-stream",
        "export-job",
        "copy-100000",
        "import",
    ]
    assert [b.name for b in benches] == ["lookup-http"]
    with pytest.raises(SystemExit):
        scale.selected(["no-such-page"])


def test_a_benchmark_not_written_yet_or_not_pointable_at_the_database_is_not_run():
    absent = scale.HttpBench("x-http", "x", "bench.no_such_module", (), "x", True, 10)
    pinned = scale.HttpBench("y-http", "y", "bench.harness", (), "y", True, 10)

    assert scale.http_run(absent, "serialdesk_bs_x").missing == (
        "bench.no_such_module is not there yet"
    )
    assert "takes no --database" in scale.http_run(pinned, "serialdesk_bs_x").missing


def test_a_benchmark_run_beside_the_table_shows_its_summary_lines_and_its_load():
    listing = scale.HttpBench("list", "x", "bench.scale", ("--list",), r"^export", False, 60)

    outcome = scale.http_run(listing, "serialdesk_bs_x")

    assert not outcome.failed and not outcome.missing
    assert [line.split()[0] for line in outcome.lines] == ["export", "export-stream", "export-job"]
    assert outcome.load is not None


def test_a_benchmark_that_fails_says_how_in_its_outcome():
    wrong = scale.HttpBench("wrong", "x", "bench.scale", ("--only", "nothing"), "x", False, 60)

    outcome = scale.http_run(wrong, "serialdesk_bs_x")

    assert outcome.failed.startswith("exit code 1: --only nothing names no measurement")
