#!/usr/bin/env python3
"""Checks (or rewrites) the program output shown in the README and docs, so it cannot drift.

A shown block is a fenced block preceded by a marker line:

    <!-- output: riskgrade targeting -->
    ```text
    $ riskgrade targeting
    targeting: 100000 synthetic enterprises ...
    ```

The command after `output:` is run with the binary given by `--riskgrade` (default
`target/release/riskgrade`) in the repository's folder (so a command may read
`examples/`; it must not write files), and the block must match its output:

- a line that is only `…` stands for any number of output lines (the block is shortened there);
- `…` inside a line stands for any text (e.g. a timing: `12 months in … (2 threads)`);
- durations (`2.27s`, `851.22µs`) are compared as "some duration";
- the block's own `$ …` command lines are not output and are skipped.

With `--write`, every line of a block that differs from the output only in its numbers (ids,
counts, shares, version ids) is replaced by the output's line, and lines that changed more are
reported for a person to rewrite. Exit status: 0 when every block matches, 1 otherwise.

Usage: scripts/docs_output.py [--write] [--riskgrade BIN] README.md docs/monthly.md …
"""

from __future__ import annotations

import argparse
import re
import shlex
import subprocess
import sys
from pathlib import Path

MARKER = re.compile(r"^<!-- output: (?P<cmd>.+?) -->\s*$")
DURATION = re.compile(r"\d+(?:\.\d+)?(?:ns|µs|us|ms|s|m)\b")
NUMBER = re.compile(r"[0-9a-f]{16}|\d+(?:[.,]\d+)*")
ELLIPSIS = "…"
ROOT = Path(__file__).resolve().parent.parent


def masked(line: str) -> str:
    return DURATION.sub("<duration>", line.rstrip())


def shape(line: str) -> str:
    """The line with every number and version id replaced: what stays when figures change."""
    return NUMBER.sub("#", masked(line))


def matches(shown: str, out: str) -> bool:
    shown, out = masked(shown), masked(out)
    if ELLIPSIS in shown:
        parts = [re.escape(p) for p in shown.split(ELLIPSIS)]
        return re.fullmatch(".*".join(parts), out) is not None
    return shown == out


def blocks(path: Path):
    """(command, index of the fence's first content line, end index) of each marked block."""
    lines = path.read_text(encoding="utf-8").split("\n")
    i = 0
    while i < len(lines):
        m = MARKER.match(lines[i])
        if m and i + 1 < len(lines) and lines[i + 1].startswith("```"):
            start = i + 2
            end = start
            while end < len(lines) and not lines[end].startswith("```"):
                end += 1
            yield m.group("cmd"), start, end
            i = end
        i += 1


def run(binary: str, cmd: str, cache: dict[str, list[str]]) -> list[str]:
    if cmd not in cache:
        args = shlex.split(cmd)
        if args and args[0] == "riskgrade":
            args = args[1:]
        done = subprocess.run(
            [binary, *args], cwd=ROOT, capture_output=True, text=True, check=False
        )
        out = (done.stdout + done.stderr).rstrip("\n").split("\n")
        cache[cmd] = [l.rstrip() for l in out]
    return cache[cmd]


def compare(shown: list[str], out: list[str], write: bool) -> tuple[list[str], list[str]]:
    """Matches the block against the output; returns the (possibly rewritten) block and problems."""
    result, problems = [], []
    j, skipping = 0, False
    for n, line in enumerate(shown):
        if line.strip() == ELLIPSIS:
            skipping = True
            result.append(line)
            continue
        if line.startswith("$ "):
            result.append(line)
            continue
        candidates = range(j, len(out)) if skipping else range(j, min(j + 1, len(out)))
        k = next((k for k in candidates if matches(line, out[k])), None)
        if k is None and write and ELLIPSIS not in line:
            k = next((k for k in candidates if shape(line) == shape(out[k])), None)
        if k is None:
            near = out[j] if j < len(out) else "(end of output)"
            problems.append(f"line {n + 1} of the block: `{line}`\n      output has: `{near}`")
            result.append(line)
            if not skipping:
                j += 1
            continue
        result.append(line if ELLIPSIS in line else out[k])
        j, skipping = k + 1, False
    return result, problems


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="+", type=Path)
    ap.add_argument("--riskgrade", default="target/release/riskgrade")
    ap.add_argument("--write", action="store_true", help="rewrite lines whose figures changed")
    args = ap.parse_args()
    binary = str(Path(args.riskgrade).resolve())
    cache: dict[str, list[str]] = {}
    failed = 0
    for path in args.files:
        lines = path.read_text(encoding="utf-8").split("\n")
        for cmd, start, end in reversed(list(blocks(path))):
            out = run(binary, cmd, cache)
            new, problems = compare(lines[start:end], out, args.write)
            if args.write:
                lines[start:end] = new
            for p in problems:
                print(f"{path}:{start + 1}: `{cmd}`: {p}")
            failed += bool(problems)
        if args.write:
            path.write_text("\n".join(lines), encoding="utf-8")
    checked = sum(len(list(blocks(p))) for p in args.files)
    print(f"{checked} shown block(s) checked, {failed} differ")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
