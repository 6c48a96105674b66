"""The search for differences: for one decision, every region of the domain where the two packs decide
differently, each with the rules behind each side, its conditions and its least point."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..conditions import Value
from .cubes import Cover, Cube, cube_diagram, hull, least_point, literals
from .decision_diagrams import SAME, DecisionDiagrams, Verdict
from .diagrams import LimitHit
from .dimensions import Assignment, Region
from .domain import Domain

DEFAULT_MAX_NODES = 2_000_000


@dataclass
class SearchStats:
    dimensions: list[str]
    fixed: dict[str, Value]
    points: int  # the size of the product of the searched dimensions
    nodes: int = 0  # nodes of the decision diagrams
    pairs: int = 0  # distinct pairs of differing verdicts
    complete: bool = True


@dataclass
class Row:
    """One region where the packs differ: the points of one pair of verdicts where the named rules of each
    side are behind its verdict (no rule: a default outcome). `hull` is the smallest cube holding those
    points. The region is the hull minus the `exceptions` cubes, or (whichever reads shorter) the hull
    within one of the `alternatives` cubes. `point` is the region's least point (defaults first)."""

    key: tuple[Verdict, Verdict]
    rules: tuple[tuple[str, ...], tuple[str, ...]]
    hull: Region
    exceptions: list[Region]
    alternatives: list[Region]
    point: Assignment

    def holds_at(self, point: Mapping[str, Value]) -> bool:
        """Whether a point of the domain lies in the region."""

        def inside(cube: Region) -> bool:
            return all(point[d] in values for d, values in cube.items())

        if not inside(self.hull):
            return False
        if self.alternatives and not any(inside(c) for c in self.alternatives):
            return False
        return not any(inside(c) for c in self.exceptions)


def search(domain: Domain, decision: str, max_nodes: int = DEFAULT_MAX_NODES) -> tuple[list[Row], SearchStats]:
    """Every region of `decision` where the packs decide differently. Rows of different verdict pairs are
    disjoint; the rows of one pair (one per set of responsible rules on each side) may overlap, and their
    union is exactly the set of points where the packs decide that pair."""
    diagrams = DecisionDiagrams(domain, decision, max_nodes)
    dims = [d for d in diagrams.dims if d not in diagrams.fixed]
    points = 1
    for d in dims:
        points *= len(domain.dims[d].values)
    stats = SearchStats(dims, dict(diagrams.fixed), points)
    dd = diagrams.dd
    rows: list[Row] = []
    try:
        root = diagrams.product()
        keys = [key for key in dd.terminals(root) if key != SAME]
        stats.pairs = len(keys)
        for key in keys:
            for region, (by_a, by_b) in _regions(diagrams, root, key).items():
                rows.append(_row(diagrams, dims, key, region, (tuple(by_a), tuple(by_b))))
    except LimitHit:
        stats.complete = False
        rows = []
    stats.nodes = len(dd)
    return rows, stats


def _regions(
    diagrams: DecisionDiagrams, root: int, key: tuple[Verdict, Verdict]
) -> dict[int, tuple[list[str], list[str]]]:
    """The points of one verdict pair, split by the rules responsible on each side: per region (a 0/1
    diagram; equal sets are one node, so one row), the rules of each pack behind it."""
    dd = diagrams.dd
    false = dd.const(False)
    indicator = dd.apply(("is", key), lambda v, k=key: v == k, (root,))
    sides = [diagrams.responsible(i, key) for i in (0, 1)]
    regions: dict[int, tuple[list[str], list[str]]] = {}
    for (rule_a, holds_a), (rule_b, holds_b) in itertools.product(*sides):
        region = dd.and_([indicator, holds_a, holds_b])
        if region != false:
            named = regions.setdefault(region, ([], []))
            for names, rule in zip(named, (rule_a, rule_b), strict=True):
                if rule is not None and rule not in names:
                    names.append(rule)
    return regions


def _row(
    diagrams: DecisionDiagrams,
    dims: Sequence[str],
    key: tuple[Verdict, Verdict],
    region: int,
    rules: tuple[tuple[str, ...], tuple[str, ...]],
) -> Row:
    """The region as a row: its hull minus exception cubes, or the hull within alternative cubes when that
    reads shorter, and its least point."""
    dd = diagrams.dd
    false = dd.const(False)
    order = [diagrams.level[d] for d in dims]
    box = hull(dd, region)
    box_region = diagrams.region(box, dims)
    care = dd.and_([cube_diagram(dd, box), dd.not_(region)])
    exceptions = [] if care == false else Cover(dd, dd.not_(region), care, order, box).primes() or []
    alternatives: list[Cube] = []
    if exceptions:  # the region as alternatives instead, if that reads shorter
        cover = Cover(dd, region, region, order, box).primes(budget=literals(exceptions, box) - 1)
        if cover is not None:
            exceptions, alternatives = [], cover
    least = least_point(dd, region)
    point = {d: diagrams.values[level][least[level]] for level, d in enumerate(diagrams.dims)}
    return Row(
        key,
        rules,
        box_region,
        [diagrams.region(e, dims, within=box_region) for e in exceptions],
        [diagrams.region(c, dims, within=box_region) for c in alternatives],
        {**point, **diagrams.fixed},
    )
