"""Beyond one machine: the batch evaluation over a Dask DataFrame (`pip install "policyrules[dask]"`).

    import dask.dataframe as dd
    from distributed import Client
    from policyrules.registers.dask_batch import evaluate_dataframe

    client = Client("scheduler-address:8786")              # or LocalCluster(...) on one machine
    register = dd.read_csv("register-*.csv", dtype=str, keep_default_na=False)
    results = evaluate_dataframe(register, "chongqing", date(2022, 3, 1))
    results.to_csv("results-*.csv", index=False)

The DataFrame's columns are the register's columns, named as for `policyrules batch` (dotted fact paths, short
forms, Chinese headers; docs/batch.md). Each partition is evaluated by `map_partitions`, which loads the pack once
per worker process (and reuses it for every later partition there). The result has, per input row and with the
input's index, the columns of `batch`'s CSV output except `row` (a file's row number, which a partitioned frame
does not have; the index takes its place) plus `error`: empty for an evaluated row, else the row's problems
('field: message', joined by ' | '), in which case the decision columns are empty. Every value is a string, as
in the CSV. With `result_json=True` a last column `result` holds, per evaluated row, the JSON of `policyrules
evaluate` (the one shape of a result: the service's answer, a batch JSON line's `result`); empty for a row in error.
"""

from __future__ import annotations

import functools
import json
from datetime import date
from typing import Any

from ..engines import Pack, load_pack
from .columns import resolve_columns
from .evaluator import Config, Evaluator
from .output import output_columns

RESULT_COLUMNS = [c for c in output_columns(recording=False) if c != "row"] + ["error"]


@functools.cache
def _pack(ref: str) -> Pack:
    return load_pack(ref)


@functools.cache
def _evaluator(ref: str, as_of: date, engine: str, header: tuple[str, ...]) -> Evaluator:
    """One per worker process and register layout: the pack is loaded once, decisions rendered once."""
    columns = tuple(resolve_columns(list(header)))
    config = Config(ref, as_of, engine, "xlsx", "xlsx", columns)
    return Evaluator(config, _pack(ref))


def evaluate_partition(frame: Any, pack: str, as_of: date, engine: str = "compiled", result_json: bool = False) -> Any:
    """One pandas partition of a register → its results (see the module docstring)."""
    import pandas as pd

    header = tuple(str(c) for c in frame.columns)
    evaluator = _evaluator(pack, as_of, engine, header)
    columns = _columns(result_json)
    out: dict[str, list[str]] = {c: [] for c in columns}
    width = len(RESULT_COLUMNS) - 1
    # the JSON of a result depends only on its decisions (one pack, date and engine per partition); the decisions
    # are kept alive beside their JSON so that their ids, the key, cannot be reused
    rendered_json: dict[tuple[int, ...], tuple[tuple[Any, ...], str]] = {}
    values = frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None)
    for cells in values:
        _, facts, result, problems = evaluator.evaluate_item(cells)
        if result is None or facts is None:
            row = [""] * width + [" | ".join(f"{p.path}: {p.message}" if p.path else p.message for p in problems)]
            row += [""] if result_json else []
        else:
            key = tuple(id(d) for d in result.decisions.values())
            rendered = evaluator.render(0, "", facts, result.decisions, key)
            row = [_text(v) for v in rendered[1:]] + [""]
            if result_json:
                cached = rendered_json.get(key)
                if cached is None:
                    text = json.dumps(result.to_json(trace=False), ensure_ascii=False, separators=(",", ":"))
                    cached = rendered_json[key] = (tuple(result.decisions.values()), text)
                row.append(cached[1])
        for column, value in zip(columns, row, strict=True):
            out[column].append(value)
    return pd.DataFrame(out, index=frame.index, columns=columns)


def _columns(result_json: bool) -> list[str]:
    return [*RESULT_COLUMNS, "result"] if result_json else RESULT_COLUMNS


def _text(value: object) -> str:
    return "" if value is None else str(value)


def evaluate_dataframe(ddf: Any, pack: str, as_of: date, engine: str = "compiled", result_json: bool = False) -> Any:
    """Evaluate every row of a Dask DataFrame register with `pack` on `as_of`, partition by partition.
    Returns a lazy Dask DataFrame of results (module docstring); nothing is computed until asked."""
    import pandas as pd

    resolve_columns([str(c) for c in ddf.columns])  # unknown columns fail here, before any work is scheduled
    load_pack(pack).check_date(as_of)  # and so does a date outside the pack's force window
    meta = pd.DataFrame({c: pd.Series([], dtype=object) for c in _columns(result_json)})
    return ddf.map_partitions(evaluate_partition, pack, as_of, engine, result_json, meta=meta)
