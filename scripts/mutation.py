"""Mutation score of the modules in `[tool.mutmut]`: `make mutation` (docs/testing.md).

Copies the work tree into a scratch folder (so edits made meanwhile cannot disturb
the run), runs mutmut there and prints killed / survived / timeout per module with
the wall time.

Mutmut leaves decorated functions alone, and every service is `@transaction.atomic`,
so in the copy only, a module-level function's decorators are applied after its
body instead (`f = transaction.atomic(f)`): the same function, which mutmut then
mutates.

    python scripts/mutation.py [--dir build/mutation] [--max-children 2] [NAME_GLOB ...]

A NAME_GLOB (`"api.idempotency.*"`) limits the run to those mutants.
"""

import argparse
import ast
import json
import shutil
import subprocess
import sys
import time
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIPPED = (
    ".git", ".venv", "build", "mutants", "__pycache__", ".mypy_cache", ".ruff_cache",
    ".pytest_cache", "staticfiles", "test-results", "media", "*.egg-info", "db.sqlite3*",
)  # fmt: skip
# mutmut's exit codes of a mutant's test run (mutmut/stats.py), grouped as we report them.
STATUS = {
    1: "killed", 3: "killed", 37: "killed", 0: "survived", 5: "no tests", 33: "no tests",
    36: "timeout", 24: "timeout", -24: "timeout", 152: "timeout", 255: "timeout",
    None: "not run",
}  # fmt: skip
COLUMNS = ("killed", "survived", "timeout", "no tests", "not run", "other")


def source_files(tree: Path) -> list[Path]:
    config = tomllib.loads((tree / "pyproject.toml").read_text())["tool"]["mutmut"]
    found: list[Path] = []
    for name in config["source_paths"]:
        path = tree / name
        found += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return found


def undecorate(path: Path) -> int:
    """Apply `path`'s module-level decorators after each body; how many functions changed."""
    lines = path.read_text().splitlines(keepends=True)
    functions = [
        node
        for node in ast.parse("".join(lines)).body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.decorator_list
    ]
    # Bottom up, so the line numbers of the functions above stay right.
    for node in reversed(functions):
        wrapped = node.name
        for decorator in reversed(node.decorator_list):
            wrapped = f"{ast.unparse(decorator)}({wrapped})"
        assert node.end_lineno is not None
        first = node.decorator_list[0].lineno - 1
        lines[node.end_lineno : node.end_lineno] = [f"\n\n{node.name} = {wrapped}\n"]
        del lines[first : node.lineno - 1]
    path.write_text("".join(lines))
    return len(functions)


def score(tree: Path) -> dict[str, Counter[str]]:
    by_module: dict[str, Counter[str]] = {}
    for meta in sorted((tree / "mutants").rglob("*.py.meta")):
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        if not codes:
            continue
        module = str(meta.relative_to(tree / "mutants")).removesuffix(".meta")
        by_module[module] = Counter(STATUS.get(code, "other") for code in codes.values())
    return by_module


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=ROOT / "build" / "mutation")
    parser.add_argument("--max-children", type=int, default=2)
    parser.add_argument("--survivors", action="store_true", help="list the surviving mutants")
    parser.add_argument("names", nargs="*", help="mutant name globs, e.g. 'api.idempotency.*'")
    args = parser.parse_args()
    tree: Path = args.dir.resolve()

    shutil.rmtree(tree, ignore_errors=True)
    shutil.copytree(ROOT, tree, ignore=shutil.ignore_patterns(*SKIPPED))
    changed = sum(undecorate(path) for path in source_files(tree))
    print(f"Copied the work tree to {tree}; {changed} decorated functions opened to mutmut.")

    mutmut = Path(sys.executable).parent / "mutmut"
    command = [str(mutmut), "run", "--max-children", str(args.max_children), *args.names]
    started = time.monotonic()
    subprocess.run(command, cwd=tree, check=False, stdout=subprocess.DEVNULL)
    wall = time.monotonic() - started

    totals: Counter[str] = Counter()
    print(f"\n| module | {' | '.join(COLUMNS)} | score |")
    print(f"| --- |{' --- |' * (len(COLUMNS) + 1)}")
    for module, counts in score(tree).items():
        totals += counts
        print(f"| {module} | {' | '.join(str(counts[c]) for c in COLUMNS)} | {rate(counts)} |")
    print(f"| all | {' | '.join(str(totals[c]) for c in COLUMNS)} | {rate(totals)} |")
    print(f"\nWall time {wall / 60:.1f} min: {' '.join(command[1:])}")
    if args.survivors:
        subprocess.run([str(mutmut), "results"], cwd=tree, check=False)
    return 0


def rate(counts: Counter[str]) -> str:
    """Killed out of the mutants some test ran (killed, survived, timeout)."""
    tried = counts["killed"] + counts["survived"] + counts["timeout"]
    return f"{100 * (counts['killed'] + counts['timeout']) / tried:.0f}%" if tried else "-"


if __name__ == "__main__":
    sys.exit(main())
