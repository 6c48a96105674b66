"""The worker pool: chunks handed in order to worker processes (each builds its Evaluator once) and their results
taken back in input order, with at most a few chunks in flight so that memory stays flat."""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import replace

from ..engines import Pack
from ..records import reserve_ids
from .chunks import Chunk, ChunkResult
from .evaluator import Config, Evaluator
from .readers import Register

_WORKER: Evaluator | None = None


def _init_worker(config: Config) -> None:
    global _WORKER
    _WORKER = Evaluator(config)
    threading.Thread(target=_exit_when_orphaned, args=(os.getppid(),), daemon=True).start()


def _exit_when_orphaned(parent: int) -> None:
    """A worker whose batch was killed would wait for work forever: leave once the parent is gone."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def _run_chunk(chunk: Chunk) -> ChunkResult:
    assert _WORKER is not None, "worker not initialised"
    return _WORKER.run(chunk)


def chunk_results(
    config: Config,
    pack: Pack,
    register: Register,
    workers: int,
    chunk_size: int,
    max_in_flight: int | None,
    recording: bool,
) -> Iterator[ChunkResult]:
    """Chunk results in input order; with several workers at most `max_in_flight` chunks are pending."""

    def chunk(c: Chunk) -> Chunk:
        return replace(c, first_id=reserve_ids(c.size)) if recording else c

    if workers == 1:
        evaluator = Evaluator(config, pack)
        for c in register.chunks(chunk_size):
            yield evaluator.run(chunk(c))
        return
    limit = max_in_flight or 2 * workers + 1
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=_mp_context(), initializer=_init_worker, initargs=(config,)
    ) as pool:
        pending: deque[Future[ChunkResult]] = deque()
        try:
            for c in register.chunks(chunk_size):
                pending.append(pool.submit(_run_chunk, chunk(c)))
                while len(pending) >= limit:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()


def _mp_context() -> multiprocessing.context.BaseContext:
    """spawn: each worker is a fresh interpreter, a direct child of the batch (so it can tell when the batch is
    gone), never a fork of a process that may be running the progress bar's thread."""
    return multiprocessing.get_context("spawn")
