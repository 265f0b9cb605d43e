"""Progress on long calls: a callable told ``(done, total)`` or a tqdm bar, nothing by default;
an exception from the callable, and Ctrl-C, stop the grading and reach the caller."""

from __future__ import annotations

import _thread
import threading
import time
from pathlib import Path

import pyarrow as pa
import pytest

import riskgrade

AS_OF = "2026-11-01"


@pytest.fixture(scope="module")
def model() -> riskgrade.Model:
    return riskgrade.Model.reference()


@pytest.fixture(scope="module")
def big() -> pa.Table:
    """Large enough that grading it takes several polls of 50 ms."""
    return riskgrade.synthesize(150_000, seed=3)


def test_the_callback_sees_counts_that_rise_to_the_total(model: riskgrade.Model, big: pa.Table) -> None:
    seen: list[tuple[int, int]] = []
    with_progress = model.classify(big, AS_OF, progress=lambda d, t: seen.append((d, t)))
    assert len(seen) >= 3, seen
    assert all(t == big.num_rows and 0 <= d <= t for d, t in seen)
    assert all(a[0] < b[0] for a, b in zip(seen, seen[1:])), seen
    assert seen[-1] == (big.num_rows, big.num_rows)
    assert with_progress.equals(model.classify(big, AS_OF))


def test_a_small_batch_is_told_its_end(model: riskgrade.Model) -> None:
    for n in (0, 1, 7):
        seen: list[tuple[int, int]] = []
        model.classify(riskgrade.synthesize(n) if n else riskgrade.synthesize(1).slice(0, 0), AS_OF, progress=lambda d, t: seen.append((d, t)))
        assert seen and seen[-1] == (n, n), (n, seen)


def test_nothing_is_shown_by_default(model: riskgrade.Model, capfd: pytest.CaptureFixture[str]) -> None:
    model.classify(riskgrade.synthesize(2_000), AS_OF)
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_progress_true_draws_a_tqdm_bar(model: riskgrade.Model, capfd: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("tqdm")
    model.classify(riskgrade.synthesize(2_000), AS_OF, progress=True)
    _, err = capfd.readouterr()
    assert "classify" in err and "enterprises" in err


@pytest.mark.parametrize("bad", ["yes", 1, object()])
def test_a_progress_that_is_not_a_callable_is_refused(model: riskgrade.Model, bad: object) -> None:
    with pytest.raises(TypeError, match="progress="):
        model.classify(riskgrade.synthesize(5), AS_OF, progress=bad)  # type: ignore[arg-type]


class Stop(Exception):
    pass


@pytest.mark.parametrize("exc", [Stop, KeyboardInterrupt])
def test_an_exception_in_the_callback_cancels_and_propagates(
    model: riskgrade.Model, big: pa.Table, exc: type[BaseException]
) -> None:
    seen: list[tuple[int, int]] = []

    def tell(done: int, total: int) -> None:
        seen.append((done, total))
        raise exc("stop")

    with pytest.raises(exc):
        model.classify(big, AS_OF, progress=tell)
    assert len(seen) == 1 and seen[0][0] < big.num_rows, seen
    # The model grades as before afterwards.
    assert model.classify(big.slice(0, 10), AS_OF).num_rows == 10


def test_ctrl_c_stops_a_long_batch_early(model: riskgrade.Model, big: pa.Table) -> None:
    # A batch that takes well over the 0.1 s before the interrupt, however fast the machine:
    # doubled until it does (at most 16 times the fixture).
    for _ in range(5):
        started = time.perf_counter()
        model.classify(big, AS_OF)
        whole = time.perf_counter() - started
        if whole > 0.5:
            break
        big = pa.concat_tables([big, big])
    assert whole > 0.5, f"{big.num_rows} rows in {whole:.2f} s: the batch is too quick to interrupt"
    seen: list[tuple[int, int]] = []
    timer = threading.Timer(0.1, _thread.interrupt_main)
    started = time.perf_counter()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        model.classify(big, AS_OF, progress=lambda d, t: seen.append((d, t)))
    stopped = time.perf_counter() - started
    timer.join()
    assert stopped < whole, (stopped, whole)
    assert all(d < big.num_rows for d, _ in seen), seen


def test_a_stream_tells_the_enterprises_read_after_each_batch(model: riskgrade.Model) -> None:
    frame = riskgrade.synthesize(1_000)
    seen: list[tuple[int, int | None]] = []
    out = model.classify_stream(frame, AS_OF, progress=lambda d, t: seen.append((d, t)))
    assert seen == []  # nothing before the results are read
    rows = sum(b.num_rows for b in out)
    assert rows == 1_000 and seen[-1] == (1_000, 1_000)
    reader = pa.RecordBatchReader.from_batches(frame.schema, frame.to_batches(max_chunksize=300))
    seen.clear()
    list(model.classify_stream(reader, AS_OF, progress=lambda d, t: seen.append((d, t))))
    assert seen == [(300, None), (600, None), (900, None), (1_000, None)]


def test_an_exception_in_a_streams_callback_reaches_the_reader(model: riskgrade.Model) -> None:
    def tell(done: int, total: int | None) -> None:
        raise Stop("stop")

    out = model.classify_stream(riskgrade.synthesize(50), AS_OF, progress=tell)
    with pytest.raises(Stop):
        out.read_all()


def test_a_public_name_is_shown_and_pickled_as_riskgrade() -> None:
    import inspect
    import pickle

    for name in riskgrade.__all__:
        obj = getattr(riskgrade, name)
        if inspect.isclass(obj) and obj.__module__.startswith("riskgrade._") and not obj.__module__.endswith(("_store", "_riskgrade")):
            raise AssertionError(f"{name} is shown as {obj.__module__}.{name}")
    model = riskgrade.Model.reference()
    e = model.explain(riskgrade.synthesize(5), AS_OF, riskgrade.synthesize(5).column("id")[0].as_py())
    assert type(e).__module__ == "riskgrade"
    assert pickle.loads(pickle.dumps(e)) == e


def test_a_month_run_tells_its_progress_and_stops_before_storing(
    model: riskgrade.Model, big: pa.Table, tmp_path: Path
) -> None:
    store = riskgrade.Store(tmp_path / "history.db", writable=True)
    n = big.num_rows

    def stop(done: int, total: int) -> None:
        # Stops while grading; the last call, (total, total), comes once the month is stored.
        if done < total:
            raise RuntimeError("stop")

    with pytest.raises(RuntimeError, match="stop"):
        store.run_month(model, big, "2026-10", progress=stop)
    assert store.periods().num_rows == 0  # nothing stored
    seen: list[tuple[int, int]] = []
    run = store.run_month(model, big, "2026-10", progress=lambda d, t: seen.append((d, t)))
    assert run.enterprises == n and len(seen) >= 2, seen
    assert all(t == n and 0 <= d <= t for d, t in seen)
    assert all(a[0] < b[0] for a, b in zip(seen, seen[1:])), seen
    assert seen[-1] == (n, n)
