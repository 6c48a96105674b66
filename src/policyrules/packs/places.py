"""Which rules govern a place on a date: the shipped packs that name the place (pack.yaml `places`), the
national pack for any other place in China, each with its force window, the packs it extends and the pack
that prevails over it from a date (`supersession`). `policyrules packs --at PLACE --as-of D` and
`evaluate/explain --at PLACE` ask it; so does `policyrules.packs_for(place, as_of)`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import EvaluationError, PolicyRulesError, Problem
from .definition import PackDefinition
from .find import shipped_pack_ids
from .load import load_definition
from .spec import DocumentStatus

NATIONAL = "全国"  # a pack whose places include it governs every place in China no local pack governs

# The provincial-level divisions of China, full name first, then the short forms a user writes, so that a
# place written with its province ("山西省太原市", "北京", "Guangdong") is known to be in China. A gazetteer
# package (cpca and the like) would bring pandas and a large table to answer only this prefix question.
PROVINCES: tuple[tuple[str, ...], ...] = (
    ("北京市", "北京", "Beijing"), ("天津市", "天津", "Tianjin"), ("上海市", "上海", "Shanghai"),
    ("重庆市", "重庆", "Chongqing"), ("河北省", "河北", "Hebei"), ("山西省", "山西", "Shanxi"),
    ("辽宁省", "辽宁", "Liaoning"), ("吉林省", "吉林", "Jilin"), ("黑龙江省", "黑龙江", "Heilongjiang"),
    ("江苏省", "江苏", "Jiangsu"), ("浙江省", "浙江", "Zhejiang"), ("安徽省", "安徽", "Anhui"),
    ("福建省", "福建", "Fujian"), ("江西省", "江西", "Jiangxi"), ("山东省", "山东", "Shandong"),
    ("河南省", "河南", "Henan"), ("湖北省", "湖北", "Hubei"), ("湖南省", "湖南", "Hunan"),
    ("广东省", "广东", "Guangdong"), ("海南省", "海南", "Hainan"), ("四川省", "四川", "Sichuan"),
    ("贵州省", "贵州", "Guizhou"), ("云南省", "云南", "Yunnan"), ("陕西省", "陕西", "Shaanxi"),
    ("甘肃省", "甘肃", "Gansu"), ("青海省", "青海", "Qinghai"), ("台湾省", "台湾", "Taiwan"),
    ("内蒙古自治区", "内蒙古", "Inner Mongolia"), ("广西壮族自治区", "广西", "Guangxi"),
    ("西藏自治区", "西藏", "Tibet"), ("宁夏回族自治区", "宁夏", "Ningxia"),
    ("新疆维吾尔自治区", "新疆", "Xinjiang"), ("香港特别行政区", "香港", "Hong Kong"),
    ("澳门特别行政区", "澳门", "Macao"),
)  # fmt: skip


@dataclass(frozen=True)
class Link:
    """One pack of the answer and what it does there."""

    pack: str
    role: str  # governs | extended | prevails_where_it_differs
    in_force_from: dt.date | None
    in_force_until: dt.date | None
    documents: tuple[str, ...]
    note: str

    def to_json(self) -> dict[str, Any]:
        return {
            "pack": self.pack,
            "role": self.role,
            "in_force_from": self.in_force_from.isoformat() if self.in_force_from else None,
            "in_force_until": self.in_force_until.isoformat() if self.in_force_until else None,
            "documents": list(self.documents),
            "note": self.note,
        }


@dataclass(frozen=True)
class PlaceAnswer:
    """The rules governing `place` on `as_of`: evaluate with `pack`; `chain` lists every pack involved."""

    place: str
    as_of: dt.date
    pack: str
    chain: tuple[Link, ...]
    notes: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "place": self.place,
            "as_of": self.as_of.isoformat(),
            "pack": self.pack,
            "chain": [link.to_json() for link in self.chain],
            "notes": list(self.notes),
        }


def force_window(definition: PackDefinition) -> tuple[dt.date | None, dt.date | None]:
    """The days the pack can be evaluated on (a draft: none), its ancestors' windows included."""
    starts, ends = [], []
    for pack in definition.chain():
        doc = pack.primary
        start = doc.in_force_earliest or doc.in_force_from
        if start:
            starts.append(start)
        if doc.in_force_until:
            ends.append(doc.in_force_until)
    return (max(starts) if starts else None), (min(ends) if ends else None)


def in_force(definition: PackDefinition, day: dt.date) -> bool:
    if definition.status is DocumentStatus.draft:
        return False
    start, end = force_window(definition)
    return (start is None or start <= day) and (end is None or day <= end)


def packs_for(place: str, as_of: dt.date, definitions: Sequence[PackDefinition] | None = None) -> PlaceAnswer:
    """Which shipped packs govern `place` on `as_of` (raises EvaluationError naming the packs that exist when
    the place is unknown or no pack is in force there on that day)."""
    packs = list(definitions) if definitions is not None else _shipped()
    name = "".join(place.split())
    local = [d for d in packs if NATIONAL not in d.meta.places and any(_names(name, p) for p in d.meta.places)]
    national = [d for d in packs if NATIONAL in d.meta.places and d.status is not DocumentStatus.draft]
    in_china = bool(local) or _in_china(name, national)
    if not in_china:
        raise EvaluationError([Problem("--at", f"'{place}' is not a place the packs know. {_known(packs)}")])
    notes: list[str] = []
    for d in local:
        if not in_force(d, as_of):
            start, end = force_window(d)
            notes.append(
                f"{d.id} ({d.primary.number}) governs {place} but is not in force on {as_of} (in force "
                f"{start or '?'} – {end or ''}); the national rules apply instead / {d.id} 在 {as_of} 尚未施行或已失效"
            )
    candidates = [d for d in local if in_force(d, as_of)] or [d for d in national if in_force(d, as_of)]
    if not candidates:
        raise EvaluationError(
            [Problem("--as-of", f"no pack is in force at '{place}' on {as_of}. {_known(packs)} {' '.join(notes)}")]
        )
    chosen = max(candidates, key=lambda d: len(d.chain()))  # the most specific: the longest extends chain
    return PlaceAnswer(place, as_of, chosen.id, _chain(chosen, as_of), tuple(notes))


def _chain(chosen: PackDefinition, day: dt.date) -> tuple[Link, ...]:
    links = [_link(chosen, "governs", f"evaluate with {chosen.id} / 依 {chosen.id} 评估")]
    for ancestor in chosen.chain()[1:]:
        links.append(
            _link(ancestor, "extended", f"{chosen.id} extends it: its rules apply unless {chosen.id} overrides them")
        )
    supersession = chosen.meta.supersession
    if supersession is not None and chosen.superseding is not None and day >= supersession.from_:
        decisions = ", ".join(y.decision for y in supersession.decisions)
        links.append(
            _link(
                chosen.superseding,
                "prevails_where_it_differs",
                f"from {supersession.from_} it prevails over {chosen.id} where it decides otherwise ({decisions}) "
                f"/ 自{supersession.from_}起，与其不一致的以其为准",
            )
        )
    return tuple(links)


def _link(definition: PackDefinition, role: str, note: str) -> Link:
    start, end = force_window(definition)
    docs = tuple(d.number for d in definition.meta.documents.values())
    return Link(definition.id, role, start, end, docs, note)


def _names(place: str, name: str) -> bool:
    """Whether `place` is `name` or lies inside it, written with or without its province first."""
    name = "".join(name.split())
    if place.lower().startswith(name.lower()):
        return True
    return any(place.startswith(p) and place[len(p) :].startswith(name) for forms in PROVINCES for p in forms[:2])


def _in_china(place: str, national: Sequence[PackDefinition]) -> bool:
    everywhere = {n.lower() for d in national for n in d.meta.places}
    return place.lower() in everywhere or any(place.lower().startswith(f.lower()) for forms in PROVINCES for f in forms)


def _known(packs: Sequence[PackDefinition]) -> str:
    listed = "; ".join(
        f"{d.id}: {', '.join(d.meta.places) or '(no place: ' + d.meta.jurisdiction + ')'}" for d in packs
    )
    return (
        f"Packs and the places they govern — {listed}. Any place in China written with its province (e.g. "
        "山西省太原市, 北京) falls to the national pack."
    )


def _shipped() -> list[PackDefinition]:
    out: list[PackDefinition] = []
    problems: list[Problem] = []
    for pack_id in shipped_pack_ids():
        try:
            out.append(load_definition(pack_id))
        except PolicyRulesError as exc:
            problems += exc.problems
    if problems:
        raise EvaluationError(problems)
    return out
