"""The generated view function (conditions/view_code.py) gives the view the atoms' own getters give, on
generated facts for every shipped pack: same keys in the same order, same values of the same types."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings

from policyrules import parse_facts
from policyrules.conditions import Context, as_known_on
from policyrules.conditions.view_code import generate_view_source
from strategies import Document, pack_cases, shipped_pack

SAME = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SAME
@given(pack_cases())
def test_the_generated_view_is_the_getters_view(case: tuple[str, Document, date]) -> None:
    pack_id, facts, as_of = case
    compiled = shipped_pack(pack_id).compiled
    ctx = Context(as_known_on(parse_facts(facts), as_of), as_of, compiled.grade_codes)
    by_getters = {key: atom.read(ctx) for key, atom in compiled.atoms.items()}
    generated = compiled.view(parse_facts(facts), as_of)
    assert list(generated) == list(by_getters)
    assert [(v, type(v)) for v in generated.values()] == [(v, type(v)) for v in by_getters.values()]


def test_recorded_facts_are_read_inline_and_the_rest_by_their_getters() -> None:
    compiled = shipped_pack("chongqing").compiled
    source, getters = generate_view_source(compiled.atoms)
    inline = [key for key, atom in compiled.atoms.items() if atom.reads[:1] == ("fact",)]
    assert inline and len(getters) == len(compiled.atoms) - len(inline)
    assert ".credit_rating" in source and "ctx.grade_codes" in source
    assert all(compiled.atoms[key].read not in getters.values() for key in inline)
