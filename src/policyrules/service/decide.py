"""Deciding over HTTP: the packs (loaded once per process), the decision of one request as the JSON of
`policyrules evaluate` (contract §3) or the trace of `policyrules explain`, and its decision record."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..engines import Pack, Result, load_pack
from ..errors import EngineUnavailable, EvaluationError, FactsError, PackError, Problem, did_you_mean
from ..explain import effective_rules, pack_summary, render_result
from ..facts import parse_facts
from ..packs import shipped_pack_ids
from ..records import Recorder, RecordStore, pack_ref, snapshot_pack
from .problems import RequestProblem, prefixed
from .requests import DecisionRequest


@dataclass(frozen=True)
class Answer:
    """A decision as the service sends it: the body and, when recorded, the record's id."""

    body: dict[str, Any]
    record_id: str | None = None


@dataclass
class Decider:
    """The shipped packs, loaded once, and the decision records (when the service records)."""

    packs: dict[str, Pack]
    record: Path | None = None
    _store: RecordStore | None = None
    _recorders: dict[str, Recorder] = field(default_factory=dict)

    @classmethod
    def load(cls, record: Path | None, pack_dirs: tuple[str, ...] = ()) -> Decider:
        """Load and compile every shipped pack and every pack directory now, so that a broken pack stops the
        service at start-up and no request waits for a compilation."""
        return cls(load_packs(pack_dirs), record)

    def pack(self, pack_id: str, path: str = "pack") -> Pack:
        found = self.packs.get(pack_id)
        if found is None:
            hint = did_you_mean(pack_id, self.packs)
            raise RequestProblem.of(
                404, path, f"no pack '{pack_id}'{hint}; the service has {', '.join(self.packs)} (GET /v1/packs)"
            )
        return found

    def summaries(self) -> list[dict[str, Any]]:
        return [pack_summary(p) for p in self.packs.values()]

    def detail(self, pack_id: str) -> dict[str, Any]:
        pack = self.pack(pack_id, "id")
        decisions = {name: d.model_dump(mode="json") for name, d in pack.definition.decisions.items()}
        return {**pack_summary(pack), "decisions": decisions, "rules": effective_rules(pack)}

    def evaluate(self, request: DecisionRequest, command: str = "evaluate", row: int | None = None) -> Answer:
        result = self._result(request, traced=request.trace)
        record_id = self._record(request, result, command, row)
        return Answer(result.to_json(trace=request.trace), record_id)

    def explain(self, request: DecisionRequest) -> Answer:
        result = self._result(request, traced=True)
        record_id = self._record(request, result, "explain", None)
        ent = request.facts.get("enterprise")
        name = f"{ent.get('name')}（{ent.get('uscc')}）" if isinstance(ent, dict) else None
        text = render_result(result, "en" if request.lang == "en" else "zh", name)
        return Answer({"text": text, "result": result.to_json(trace=True)}, record_id)

    def _result(self, request: DecisionRequest, traced: bool) -> Result:
        pack = self.pack(request.pack)
        try:
            facts = parse_facts(request.facts)
        except FactsError as exc:
            raise RequestProblem(422, prefixed(exc.problems, "facts")) from None
        try:
            return pack.evaluate(facts, as_of=request.as_of, engine=request.engine, trace=traced)
        except FactsError as exc:  # e.g. a credit grade outside the pack's scheme
            raise RequestProblem(422, prefixed(exc.problems, "facts")) from None
        except (EvaluationError, EngineUnavailable) as exc:  # a date outside the force window, an engine
            raise RequestProblem(422, tuple(_envelope_problem(p) for p in exc.problems)) from None

    def _record(self, request: DecisionRequest, result: Result, command: str, row: int | None) -> str | None:
        """Append the decision to the records (the same store as `--record`); its id, or None when not recording."""
        if self.record is None:
            return None
        recorder = self._recorders.get(request.pack)
        if recorder is None:
            recorder = self._recorders[request.pack] = self._recorder(request.pack)
        return replace(recorder, command=command).record(request.facts, result, "service", row)

    def _recorder(self, pack_id: str) -> Recorder:
        assert self.record is not None
        if self._store is None:
            self._store = RecordStore.open(self.record)
        pack = self.packs[pack_id]
        snapshot = snapshot_pack(pack)
        self._store.add_pack(snapshot)
        return Recorder(self._store, pack, snapshot, pack_ref(pack_id, pack), "evaluate")

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
            self._recorders.clear()


def load_packs(pack_dirs: tuple[str, ...] = ()) -> dict[str, Pack]:
    """The shipped packs, then the packs of `pack_dirs` by their own ids; an id served twice is an error."""
    packs = {pack_id: load_pack(pack_id) for pack_id in shipped_pack_ids()}
    for folder in pack_dirs:
        pack = load_pack(folder)
        if pack.id in packs:
            raise PackError([Problem("--pack", f"a pack with the id '{pack.id}' is already served", folder)])
        packs[pack.id] = pack
    return packs


def _envelope_problem(problem: Problem) -> Problem:
    """An evaluation problem located in the request body: the library's `--engine` is the body's `engine`."""
    return Problem("engine" if problem.path == "--engine" else problem.path or "", problem.message)
