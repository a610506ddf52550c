"""What `make bench-scale` prints: each figure against its target and its floor.

Plain data and pure functions, no Django, so tests/bench/ check them cheaply: the
machine's load average, a measurement's rate, its ratio to a floor measured in the
same run and its verdict, the table (text or Markdown), the summary lines of the
HTTP benchmarks run beside it, and the summary of issue 22's five points.
"""

import os
import re
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

LOADAVG = Path("/proc/loadavg")
# "Flat memory": a job that holds its file or its rows needs 70 bytes or more for
# each row (the CSV alone is about 72 bytes a row); one that holds a chunk needs
# the same whatever the count. Allowed: 1 MB more per 100,000 rows more.
FLAT_MB_PER_100K = 1.0

# Issue 22's targets (bench.scale's measurements take theirs from here too).
API_DATES_MS = 50
EXPORT_JOB_ROWS_PER_S = 200_000
DASHBOARD_MS = 50
LOOKUP_PER_S = 300
LOOKUP_P95_MS = 30
LOOKUP_PARTIAL_MS = 10
BROWSER_RATIO = 10


def load_average_parse(text: str) -> float:
    """The 1-minute load average in the text of /proc/loadavg ("0.52 0.58 0.59 1/389 123")."""
    fields = text.split()
    if len(fields) < 3:
        raise ValueError(f"not the text of /proc/loadavg: {text!r}")
    return float(fields[0])


def load_average() -> float:
    """The machine's 1-minute load now: a figure taken on a busy machine says so."""
    try:
        return load_average_parse(LOADAVG.read_text())
    except OSError:  # not Linux
        return os.getloadavg()[0]


@dataclass
class Result:
    """One measurement's figures, its targets and floor, or why it has none.

    Targets are each optional: a median time (`target_ms`), a rate of rows
    (`min_rate`), a ratio to the floor (`max_ratio`), and for a job whose memory
    must stay flat, `memory_per_100k`'s bound. A floor is another measurement of
    the same run (`floor`, its name); `floor_ms` is its median once known.
    """

    name: str
    label: str
    target_ms: float | None = None
    min_rate: float | None = None
    max_ratio: float | None = None
    flat_memory: bool = False
    floor: str | None = None
    floor_ms: float | None = None
    rounds: int = 0
    timings: list[float] = field(default_factory=list)
    queries: int | None = None
    size: int = 0
    rows: int | None = None  # rows written or recorded (one round's)
    load: float | None = None  # the 1-minute load when the measurement finished
    memory_per_100k: float | None = None  # MB more at peak per 100,000 rows more
    note: str = ""
    error: str = ""
    skipped: str = ""

    @property
    def timed(self) -> bool:
        return bool(self.timings)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.timings) * 1000

    @property
    def max_ms(self) -> float:
        return max(self.timings) * 1000

    @property
    def rate(self) -> float | None:
        """Rows per second at the median time."""
        if not self.timed or not self.rows or self.median_ms <= 0:
            return None
        return self.rows / (self.median_ms / 1000)

    @property
    def ratio(self) -> float | None:
        """The median time as a multiple of the floor's."""
        if not self.timed or not self.floor_ms:
            return None
        return self.median_ms / self.floor_ms

    @property
    def target(self) -> str:
        parts = []
        if self.target_ms is not None:
            parts.append(f"{self.target_ms:,.0f} ms")
        if self.min_rate is not None:
            parts.append(f">= {self.min_rate:,.0f} rows/s")
        if self.max_ratio is not None:
            parts.append(f"<= {self.max_ratio:g}x floor")
        if self.flat_memory:
            parts.append("flat memory")
        return ", ".join(parts) or "-"

    @property
    def verdict(self) -> str:
        """OK, SLOW (a time, rate or ratio missed), GROWS (memory), or why there is none."""
        if self.error:
            return self.error
        if self.skipped:
            return "SKIPPED"
        if not self.timed:
            return "-"
        missed = []
        slow = (self.target_ms is not None and self.median_ms > self.target_ms) or (
            self.min_rate is not None and (self.rate or 0) < self.min_rate
        )
        if self.max_ratio is not None:
            if self.ratio is None:
                missed.append("NO FLOOR")
            elif self.ratio > self.max_ratio:
                slow = True
        if slow:
            missed.insert(0, "SLOW")
        if self.flat_memory:
            if self.memory_per_100k is None:
                missed.append("MEMORY NOT MEASURED")
            elif self.memory_per_100k > FLAT_MB_PER_100K:
                missed.append("GROWS")
        has_target = self.target != "-"
        return ", ".join(missed) or ("OK" if has_target else "-")

    @property
    def ok(self) -> bool | None:
        """Whether it met its targets; None when it has no verdict (not run, no target)."""
        if self.error:
            return False
        if self.skipped or not self.timed or self.target == "-":
            return None
        return self.verdict == "OK"


def memory_growth(*, peak: int, rows: int, probe_peak: int, probe_rows: int) -> float | None:
    """MB more at peak per 100,000 rows more, between a run and a shorter one (bytes, rows)."""
    if rows == probe_rows:
        return None
    return (peak - probe_peak) / (1024 * 1024) / (rows - probe_rows) * 100_000


def floors_link(results: Iterable[Result]) -> None:
    """Give each result the median of its floor, when the floor ran in this run."""
    by_name = {r.name: r for r in results}
    for result in by_name.values():
        floor = by_name.get(result.floor or "")
        result.floor_ms = floor.median_ms if floor and floor.timed and not floor.error else None


# The table -------------------------------------------------------------------

HEADER = [
    "name", "measurement", "n", "median ms", "max ms", "rows/s", "queries", "KB",
    "floor ms", "ratio", "target", "result", "load",
]  # fmt: skip
NUMERIC = {2, 3, 4, 5, 6, 7, 8, 9, 12}


def _cells(r: Result) -> list[str]:
    rate, ratio = r.rate, r.ratio
    return [
        r.name,
        r.label,
        str(r.rounds),
        f"{r.median_ms:,.1f}" if r.timed else "-",
        f"{r.max_ms:,.1f}" if r.timed else "-",
        f"{rate:,.0f}" if rate is not None else "-",
        str(r.queries) if r.queries is not None else "-",
        f"{r.size / 1024:,.1f}",
        f"{r.floor_ms:,.1f}" if r.floor_ms is not None else "-",
        f"{ratio:.1f}x" if ratio is not None else "-",
        r.target,
        r.verdict,
        f"{r.load:.1f}" if r.load is not None else "-",
    ]


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    def line(cells: list[str]) -> str:
        return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"

    return "\n".join([line(header), "|" + "---|" * len(header), *map(line, rows)])


def text_table(header: list[str], rows: list[list[str]], numeric: set[int]) -> str:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            cell.rjust(widths[i]) if i in numeric else cell.ljust(widths[i])
            for i, cell in enumerate(cells)
        ).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])


def table(results: list[Result], *, markdown: bool) -> str:
    """The results, one row each, with their notes below."""
    rows = [_cells(r) for r in results]
    body = markdown_table(HEADER, rows) if markdown else text_table(HEADER, rows, NUMERIC)
    notes = [f"{r.name}: {r.note}" for r in results if r.note]
    notes += [f"{r.name}: skipped, {r.skipped}" for r in results if r.skipped]
    if not notes:
        return body
    bullet = "- " if markdown else ""
    return body + "\n\n" + "\n".join(bullet + note for note in notes)


# The HTTP benchmarks' output ---------------------------------------------------


@dataclass
class HttpOutcome:
    """What one HTTP benchmark run beside the table said: its summary lines, or why none."""

    name: str
    command: str
    lines: list[str] = field(default_factory=list)
    load: float | None = None  # the 1-minute load when it ended
    log: str = ""  # the file holding its whole output
    missing: str = ""  # not run: the reason
    failed: str = ""  # run, and it failed: how


_NUMBER = r"([0-9][0-9,]*(?:\.[0-9]+)?)"


def _number(text: str) -> float:
    return float(text.replace(",", ""))


@dataclass(frozen=True)
class Throughput:
    name: str
    per_second: float
    p95_ms: float
    errors: int


def throughput_parse(line: str) -> Throughput | None:
    """`lookup-http  4 clients  312 req/s  median 11.8 ms  p95 21.0 ms  errors 0 ...`, or None."""
    rate = re.search(_NUMBER + r"\s*req/s", line)
    p95 = re.search(r"p95\s*" + _NUMBER, line)
    errors = re.search(r"errors\s*([0-9]+)", line)
    if not line.strip() or rate is None or p95 is None:
        return None
    return Throughput(
        line.split()[0],
        _number(rate.group(1)),
        _number(p95.group(1)),
        int(errors.group(1)) if errors else 0,
    )


def median_parse(line: str) -> tuple[str, float] | None:
    """`  idle   median   26.4  max ...` -> ("idle", 26.4): what comes before "median", and it."""
    found = re.match(r"\s*(.*?)\s*median\s*" + _NUMBER, line)
    if found is None or not found.group(1):
        return None
    return found.group(1), _number(found.group(2))


def floor_ratio_parse(line: str) -> float | None:
    """The median of `... wait / floor = 21.0 median, ...`, or None."""
    found = re.search(r"wait\s*/\s*floor\s*=?\s*" + _NUMBER, line)
    return _number(found.group(1)) if found else None


# The five points of issue 22 ---------------------------------------------------


@dataclass(frozen=True)
class Part:
    """One figure a point is judged by; `ok` None when this run did not measure it."""

    text: str
    ok: bool | None


@dataclass(frozen=True)
class Point:
    number: int
    title: str
    target: str
    parts: list[Part]

    @property
    def verdict(self) -> str:
        judged = [part.ok for part in self.parts if part.ok is not None]
        if not judged:
            return "NOT MEASURED"
        if not all(judged):
            return "MISSED"
        return "OK" if len(judged) == len(self.parts) else "OK where measured"


def _part(results: dict[str, Result], name: str, figure: str = "median") -> Part:
    result = results.get(name)
    if result is None:
        return Part(f"{name} not run", None)
    if result.error or result.skipped or not result.timed:
        return Part(f"{name} {result.verdict}", None if result.skipped else False)
    if figure == "rate":
        text = f"{name} {result.rate or 0:,.0f} rows/s"
        if result.ratio is not None:
            text += f" ({result.ratio:.1f}x its floor's time)"
        if result.memory_per_100k is not None:
            text += f", memory +{result.memory_per_100k:.2f} MB per 100,000 rows"
    else:
        text = f"{name} {result.median_ms:,.1f} ms"
    return Part(text, result.ok)


def _lookup_parts(outcome: HttpOutcome) -> list[Part]:
    """The line of the exact look-up at 4 clients, named as the benchmark is."""
    found = [t for line in outcome.lines if (t := throughput_parse(line))]
    exact = [t for t in found if t.name == outcome.name]
    errors = [f", {t.errors} errors" if t.errors else "" for t in exact]
    return [
        Part(
            f"{t.name} {t.per_second:,.0f} req/s, p95 {t.p95_ms:.1f} ms{error}",
            t.per_second >= LOOKUP_PER_S and t.p95_ms < LOOKUP_P95_MS and not t.errors,
        )
        for t, error in zip(exact[:1], errors, strict=False)
    ] or [Part(f"{outcome.name} printed no {outcome.name} line with req/s", False)]


def _dashboard_parts(outcome: HttpOutcome) -> list[Part]:
    medians = [m for line in outcome.lines if (m := median_parse(line))]
    return [Part(f"gunicorn {name} {ms:.1f} ms", ms <= DASHBOARD_MS) for name, ms in medians] or [
        Part(f"{outcome.name} printed no median", False)
    ]


def _browser_parts(outcome: HttpOutcome) -> list[Part]:
    ratios = [r for line in outcome.lines if (r := floor_ratio_parse(line)) is not None]
    return [Part(f"wait / COPY floor {r:.1f}x", r <= BROWSER_RATIO) for r in ratios[:1]] or [
        Part(f"{outcome.name} printed no wait / floor", False)
    ]


def _http_parts(
    http: dict[str, HttpOutcome], name: str, judge: Callable[[HttpOutcome], list[Part]]
) -> list[Part]:
    """The parts `judge` reads in a benchmark's lines; or that it did not run, or failed."""
    outcome = http.get(name)
    if outcome is None:
        return [Part(f"{name} not run", None)]
    if outcome.missing:
        return [Part(f"{name} not run: {outcome.missing}", None)]
    if outcome.failed:
        return [Part(f"{name} failed: {outcome.failed}", False)]
    return judge(outcome)


def points(results: dict[str, Result], http: dict[str, HttpOutcome]) -> list[Point]:
    """Issue 22's five points, each judged by the figures of this run that measure it."""
    quiet_and_busy = ("dashboard", "coverage", "dashboard-busy", "coverage-busy")
    return [
        Point(
            1,
            "API list with a date filter",
            f"{API_DATES_MS} ms",
            [_part(results, "api-list-dates")],
        ),
        Point(
            2,
            "Export CSV of over 100,000 rows as a background job, to done",
            f">= {EXPORT_JOB_ROWS_PER_S:,} rows/s, flat memory",
            [_part(results, "export-job", "rate")],
        ),
        Point(
            3,
            "Dashboard and Serial coverage, quiet and busy",
            f"{DASHBOARD_MS} ms",
            [_part(results, name) for name in quiet_and_busy]
            + _http_parts(http, "dashboard-http", _dashboard_parts),
        ),
        Point(
            4,
            "Look up serial: 4 clients through gunicorn; partial match",
            f"{LOOKUP_PER_S} req/s, p95 < {LOOKUP_P95_MS} ms; partial {LOOKUP_PARTIAL_MS} ms",
            _http_parts(http, "lookup-http", _lookup_parts) + [_part(results, "lookup-partial")],
        ),
        Point(
            5,
            "The wait for 10,000 serials in Chromium (make run)",
            f"{BROWSER_RATIO}x a bare COPY",
            _http_parts(http, "browser-wait", _browser_parts),
        ),
    ]


def points_report(points: list[Point], *, markdown: bool) -> str:
    header = ["point", "measured", "target", "verdict"]
    rows = [
        [f"{p.number}. {p.title}", "; ".join(part.text for part in p.parts), p.target, p.verdict]
        for p in points
    ]
    if markdown:
        return markdown_table(header, rows)
    return "\n".join(
        f"{p.number}. {p.title}: {p.verdict}\n   target {p.target}\n   "
        + "\n   ".join(part.text for part in p.parts)
        for p in points
    )
