#!/usr/bin/env bash
# Every test of riskgrade: the Rust workspace (unit, integration, property,
# snapshot and doc tests), then the Python package built into a wheel and
# tested from it (pytest with warnings as errors, hypothesis, stubtest, mypy,
# PySpark in local mode and a local Dask cluster).
#
# Needs the Rust toolchain and Python 3.10+ with pip; Python packages go into
# .venv (created here). PySpark tests need Java (Debian: openjdk-17-jre-headless);
# without it they are skipped unless RISKGRADE_REQUIRE_SPARK=1.
set -euo pipefail
cd "$(dirname "$0")"
step() { echo "== [$(date +%T) +${SECONDS}s] $*"; }

step "Rust: cargo test --workspace"
cargo test --workspace

step "Python: the package, built and installed from a wheel"
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -r bindings/python/requirements-test.txt
rm -rf target/wheels
.venv/bin/maturin build --release -q -m bindings/python/Cargo.toml --out target/wheels
.venv/bin/python -m pip install -q --force-reinstall --no-deps target/wheels/riskgrade-*.whl

.venv/bin/python -c "import riskgrade; assert 'site-packages' in riskgrade.__file__, riskgrade.__file__; print('riskgrade', riskgrade.__version__, 'from', riskgrade.__file__)"

step "Python: pytest"
# From the tests' directory, so that `import riskgrade` finds the installed wheel, not the source tree.
cd bindings/python
../../.venv/bin/python -m pytest tests -p no:cacheprovider --durations=10
