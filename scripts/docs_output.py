#!/usr/bin/env python3
"""Checks (or rewrites) the program output shown in the README and docs, so it cannot drift.

A shown block is a fenced block preceded by a marker line:

    <!-- output: riskgrade targeting -->
    ```text
    $ riskgrade targeting
    targeting: 100000 synthetic enterprises ...
    ```

The command after `output:` is a shell command run by bash, with the binary given by
`--riskgrade` (default `target/release/riskgrade`) first on `PATH` as `riskgrade`, in a
scratch folder of its own for each document (where `examples` is the repository's
`examples/`), and the block must match its output (stdout, then stderr; a block that shows
`$ echo $?` is checked against the exit status too). Files a block needs are made by hidden
setup markers, run in the same folder in document order, whose output is not shown:

    <!-- run: printf 'id,industry\\nE1,C14\\n' > bad.csv -->

A setup command that fails stops the check. Matching a block line by line:

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
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

MARKER = re.compile(r"^<!-- output: (?P<cmd>.+?) -->\s*$")
SETUP = re.compile(r"^<!-- run: (?P<cmd>.+?) -->\s*$")
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
    """(setup commands before it, command, first content line, end line) of each marked block."""
    lines = path.read_text(encoding="utf-8").split("\n")
    setups: list[str] = []
    i = 0
    while i < len(lines):
        if m := SETUP.match(lines[i]):
            setups.append(m.group("cmd"))
        m = MARKER.match(lines[i])
        if m and i + 1 < len(lines) and lines[i + 1].startswith("```"):
            start = i + 2
            end = start
            while end < len(lines) and not lines[end].startswith("```"):
                end += 1
            yield setups, m.group("cmd"), start, end
            setups = []
            i = end
        i += 1


class Scratch:
    """A scratch folder for one document's commands, with `riskgrade` first on PATH."""

    def __init__(self, binary: str) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="riskgrade-docs-"))
        bin_dir = self.dir / ".bin"
        bin_dir.mkdir()
        (bin_dir / "riskgrade").symlink_to(binary)
        (self.dir / "examples").symlink_to(ROOT / "examples")
        self.env = {**os.environ, "PATH": f"{bin_dir}:{os.environ.get('PATH', '')}"}

    def run(self, cmd: str) -> tuple[list[str], int]:
        done = subprocess.run(
            ["bash", "-c", cmd],
            cwd=self.dir,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        out = (done.stdout + done.stderr).rstrip("\n").split("\n")
        return [line.rstrip() for line in out], done.returncode

    def close(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def with_status(shown: list[str], out: list[str], status: int) -> list[str]:
    """The output, followed by the exit status where the block shows `$ echo $?`."""
    if "$ echo $?" in shown:
        return [*out, str(status)]
    return out


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
    failed = checked = 0
    for path in args.files:
        lines = path.read_text(encoding="utf-8").split("\n")
        scratch = Scratch(binary)
        edits = []
        try:
            for setups, cmd, start, end in blocks(path):
                for setup in setups:
                    out, status = scratch.run(setup)
                    if status != 0:
                        print(f"{path}: setup `{setup}` failed ({status}):", *out, sep="\n  ")
                        return 1
                shown = lines[start:end]
                out, status = scratch.run(cmd)
                new, problems = compare(shown, with_status(shown, out, status), args.write)
                edits.append((start, end, new))
                for p in problems:
                    print(f"{path}:{start + 1}: `{cmd}`: {p}")
                failed += bool(problems)
                checked += 1
        finally:
            scratch.close()
        if args.write:
            for start, end, new in reversed(edits):
                lines[start:end] = new
            path.write_text("\n".join(lines), encoding="utf-8")
    print(f"{checked} shown block(s) checked, {failed} differ")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
