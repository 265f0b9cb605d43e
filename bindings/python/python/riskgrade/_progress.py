"""Progress of long calls: a callable ``(done, total)``, or a tqdm bar with ``progress=True``.

Nothing is shown unless asked for. The callable runs on the calling thread (every 50 ms while
the engine grades, and once at the end with ``(total, total)``); an exception it raises —
``KeyboardInterrupt`` included — stops the engine within a chunk of enterprises and reaches
the caller, with nothing returned.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import pyarrow as pa

ProgressCallback = Callable[[int, int], object]
"""Called with ``(enterprises done, enterprises in the batch)``; counts never decrease."""

Progress = bool | ProgressCallback | None
"""``None``/``False`` (the default: nothing shown), ``True`` (a tqdm bar; needs ``tqdm``), or a
callable ``(done, total)``."""


StreamProgress = bool | Callable[[int, int | None], object] | None
"""As :data:`Progress`, for a stream whose size may be unknown (``total`` is then ``None``)."""


class _Bar:
    """A tqdm bar fed with absolute counts, opened at the first call (when the total is known)."""

    def __init__(self, tqdm: Any, desc: str) -> None:
        self._tqdm = tqdm
        self._desc = desc
        self._bar: Any = None

    def __call__(self, done: int, total: int | None) -> None:
        if self._bar is None:
            self._bar = self._tqdm(total=total, desc=self._desc, unit="enterprises", leave=False)
        self._bar.update(done - self._bar.n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


@contextlib.contextmanager
def progress_callback(progress: Progress, desc: str) -> Iterator[ProgressCallback | None]:
    """The callback to hand the native module for ``progress`` (closing a tqdm bar on exit)."""
    if progress is None or progress is False:
        yield None
        return
    if progress is True:
        bar = _Bar(_tqdm(), desc)
        try:
            yield bar
        finally:
            bar.close()
        return
    if not callable(progress):
        raise TypeError(f"progress={progress!r}: use True (a tqdm bar), a callable(done, total), or None")
    yield progress


def _tqdm() -> Any:
    try:
        from tqdm.auto import tqdm
    except ImportError as e:
        raise ImportError("progress=True shows a tqdm bar: pip install tqdm, or pass a callable(done, total)") from e
    return tqdm


def stream_with_progress(
    results: pa.RecordBatchReader, progress: StreamProgress, total: int | None, desc: str
) -> pa.RecordBatchReader:
    """``results`` telling ``progress`` the enterprises read so far after each batch."""
    if progress is True:
        tell: Callable[[int, int | None], object] = _Bar(_tqdm(), desc)
    elif callable(progress):
        tell = progress
    else:
        raise TypeError(f"progress={progress!r}: use True (a tqdm bar), a callable(done, total), or None")

    def batches() -> Iterator[pa.RecordBatch]:
        done = 0
        try:
            for batch in results:
                done += batch.num_rows
                tell(done, total)
                yield batch
        finally:
            if isinstance(tell, _Bar):
                tell.close()

    return pa.RecordBatchReader.from_batches(results.schema, batches())
