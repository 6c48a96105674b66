"""The strict YAML reader against PyYAML's own: on plain documents it builds the values `yaml.safe_load` builds,
and gives every key path the line on which PyYAML's composer starts the key (or the list item)."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from policyrules.errors import PolicyRulesError
from policyrules.yamlio import read_yaml

# Printable text with CJK, spaces and YAML's special characters, so that the dumper quotes some of it
TEXT = st.text(st.sampled_from("ab yes no null ~ 0123:#-[]{}'\"&*!|>%@`,\n重庆执法清单"), max_size=12)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-(2**63), 2**63 - 1), TEXT)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(TEXT, inner, max_size=4)),
    max_leaves=25,
)


def composed_lines(node: yaml.Node, path: tuple[Any, ...], lines: dict[tuple[Any, ...], int]) -> None:
    """The line of every key path as PyYAML's composer places it: a mapping value at its key's line, a list
    item at its own."""
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            step = yaml.safe_load(yaml.serialize(key))
            lines[(*path, step)] = key.start_mark.line + 1
            composed_lines(value, (*path, step), lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            composed_lines(item, (*path, i), lines)


@settings(max_examples=150, deadline=None)
@given(VALUES, st.sampled_from([None, False, True]))
def test_plain_documents_read_as_pyyaml_reads_them_with_the_composers_lines(value: Any, flow: bool | None) -> None:
    text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=flow)
    data, lines = read_yaml(text, "doc.yaml", PolicyRulesError)
    assert data == yaml.safe_load(text)
    expected: dict[tuple[Any, ...], int] = {}
    composed_lines(yaml.compose(text, Loader=yaml.SafeLoader), (), expected)
    assert lines == expected
