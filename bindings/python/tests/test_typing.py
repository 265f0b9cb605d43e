"""The stubs match the built native module, and the package type-checks strictly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import riskgrade

CONFIG = Path(__file__).resolve().parents[1] / "pyproject.toml"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True, check=False)


def test_the_stubs_match_the_native_module() -> None:
    r = run("mypy.stubtest", "riskgrade._riskgrade", "--mypy-config-file", str(CONFIG))
    assert r.returncode == 0, r.stdout + r.stderr


def test_the_package_type_checks_strictly() -> None:
    package = Path(riskgrade.__file__).parent
    assert (package / "py.typed").exists()
    r = run("mypy", "--config-file", str(CONFIG), "-p", "riskgrade")
    assert r.returncode == 0, r.stdout + r.stderr
