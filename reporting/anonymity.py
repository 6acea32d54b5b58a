"""k-anonymity of record-level exports by full-domain generalisation and
record suppression (Samarati's search over the generalisation lattice).

Each quasi-identifier has a hierarchy: a list of functions from its most
precise value (level 0) to nothing at all (the last level, which maps every
value to ""). A *node* picks one level per quasi-identifier. The search
takes the nodes of least total height first and, among those, the one that
withholds the fewest records; a node qualifies when the records it must
withhold (those in classes of fewer than k) are at most ``max_withheld`` of
all. The chosen node's small classes are withheld whole, so every class
published has at least k records. The top node (every value "") is one
class of everyone: it qualifies unless there are fewer than k records, in
which case nothing is published.

The search works on the counts of distinct level-0 combinations, not on the
records, so its cost does not grow with the number of records.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

Hierarchy = Sequence[Callable[[str], str]]


def generalise(values: tuple[str, ...], levels: tuple[int, ...], hierarchies: Sequence[Hierarchy]) -> tuple[str, ...]:
    return tuple(hierarchy[level](value) for value, level, hierarchy in zip(values, levels, hierarchies, strict=True))


@dataclass(frozen=True)
class Choice:
    """The generalisation chosen: a level per quasi-identifier, the
    generalised classes too small to publish, and how many records they hold."""

    levels: tuple[int, ...]
    small_classes: frozenset[tuple[str, ...]]
    withheld: int
    total: int

    def keeps(self, generalised: tuple[str, ...]) -> bool:
        return generalised not in self.small_classes


def choose(
    counts: Counter[tuple[str, ...]], hierarchies: Sequence[Hierarchy], *, k: int, max_withheld: float
) -> Choice:
    """The lowest generalisation withholding at most ``max_withheld`` (a
    fraction) of the records; ``counts`` are records per level-0 combination."""
    if k < 2:
        raise ValueError("k-anonymity needs k of at least 2")
    for hierarchy in hierarchies:
        if any(hierarchy[-1](value) != "" for combination in counts for value in combination):
            raise ValueError("a hierarchy's last level must map every value to nothing")
    total = sum(counts.values())
    budget = math.floor(total * max_withheld)
    nodes = sorted(itertools.product(*(range(len(hierarchy)) for hierarchy in hierarchies)), key=_height_then_levels)
    best: Choice | None = None
    for levels in nodes:
        if best is not None and sum(levels) > sum(best.levels):
            break
        classes: Counter[tuple[str, ...]] = Counter()
        for combination, n in counts.items():
            classes[generalise(combination, levels, hierarchies)] += n
        small = frozenset(key for key, n in classes.items() if n < k)
        withheld = sum(classes[key] for key in small)
        if withheld <= budget and (best is None or withheld < best.withheld):
            best = Choice(levels, small, withheld, total)
    if best is None:  # fewer than k records: the top node's one class is too small
        top = tuple(len(hierarchy) - 1 for hierarchy in hierarchies)
        return Choice(top, frozenset({tuple("" for _h in hierarchies)}), total, total)
    return best


def _height_then_levels(levels: tuple[int, ...]) -> tuple[int, tuple[int, ...]]:
    return sum(levels), levels
