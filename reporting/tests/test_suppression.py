"""Small-cell suppression (reporting/suppression.py), checked by an
independent test of what the published values give away: a hidden value is
recoverable iff removing its column from the equations over the unknowns
lowers their rank (every solution then agrees on it). Written apart from
the module's own test (a row of the reduced echelon form equal to a unit
vector), so that a mistake in one is caught by the other."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from reporting.suppression import COMPLEMENTARY, PRIMARY, Protected, protect

K = 11


def _rank(rows: list[list[Fraction]]) -> int:
    rows = [row[:] for row in rows if any(row)]
    rank, columns = 0, len(rows[0]) if rows else 0
    for column in range(columns):
        pivot = next((r for r in range(rank, len(rows)) if rows[r][column] != 0), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for r in range(len(rows)):
            if r != rank and rows[r][column] != 0:
                factor = rows[r][column] / rows[rank][column]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[rank], strict=True)]
        rank += 1
    return rank


def recoverable(counts: list[list[int]], published: Protected) -> list[str]:
    """Every hidden published value that the shown ones and the table's sums pin down."""
    r, c = len(counts), len(counts[0])
    names = [f"cell {i},{j}" for i in range(r) for j in range(c)]
    names += [f"row total {i}" for i in range(r)] + [f"column total {j}" for j in range(c)] + ["total"]
    shown = [v for row in published.cells for v in row]
    shown += published.row_totals if c > 1 else [None] * r  # a lone column's or row's total is not published
    shown += published.column_totals if r > 1 else [None] * c
    shown.append(published.total)
    hidden_published = {n for n, value in enumerate(shown) if value is None}
    if c == 1:
        hidden_published -= set(range(r * c, r * c + r))
    if r == 1:
        hidden_published -= set(range(r * c + r, r * c + r + c))
    unknown = [n for n, value in enumerate(shown) if value is None]
    equations: list[dict[int, int]] = []
    for i in range(r):
        equations.append({**{i * c + j: 1 for j in range(c)}, r * c + i: -1})
    for j in range(c):
        equations.append({**{i * c + j: 1 for i in range(r)}, r * c + r + j: -1})
    equations.append({**{r * c + i: 1 for i in range(r)}, r * c + r + c: -1})
    equations.append({**{r * c + r + j: 1 for j in range(c)}, r * c + r + c: -1})
    matrix = [[Fraction(eq.get(var, 0)) for var in unknown] for eq in equations]
    full = _rank(matrix)
    leaks = []
    for position, var in enumerate(unknown):
        if var in hidden_published:
            without = [row[:position] + row[position + 1 :] for row in matrix]
            if _rank(without) < full:
                leaks.append(names[var])
    return leaks


def _check(counts: list[list[int]], published: Protected) -> None:
    r, c = len(counts), len(counts[0])
    for i in range(r):
        for j in range(c):
            value, shown = counts[i][j], published.cells[i][j]
            assert shown is None or shown == value
            if 0 < value < K:
                assert shown is None and published.cell_reasons[i][j] == PRIMARY
    totals = [sum(row) for row in counts]
    assert published.total is None or published.total == sum(totals)
    assert not recoverable(counts, published)


def test_a_cell_of_10_is_hidden_and_a_cell_of_11_is_shown() -> None:
    published = protect([[10, 10, 11, 40]], k=K)
    assert published.cells == [[None, None, 11, 40]]  # two hidden cells: neither can be worked out from 71
    assert published.cell_reasons == [[PRIMARY, PRIMARY, None, None]] and published.total == 71
    _check([[10, 10, 11, 40]], published)
    alone = protect([[10, 11, 40, 12]], k=K)  # one small cell: the smallest other (11) is hidden with it
    assert alone.cells == [[None, None, 40, 12]] and alone.cell_reasons[0][1] == COMPLEMENTARY


def test_one_hidden_cell_never_stands_alone_next_to_its_total() -> None:
    counts = [[3, 50, 60]]
    published = protect(counts, k=K)
    assert sum(v is None for v in published.cells[0]) == 2  # 3, and 50 so that 113 - 60 says nothing
    assert published.cells[0][2] == 60 and published.total == 113
    _check(counts, published)


def test_zero_is_shown_and_a_total_below_k_hides_everything() -> None:
    assert protect([[0, 25, 30]], k=K).cells == [[0, 25, 30]]
    small = protect([[2, 3, 0]], k=K)
    assert small.cells == [[None, None, 0]] and small.total is None


def test_a_two_way_table_hides_rows_columns_and_totals_consistently() -> None:
    counts = [[12, 3, 40], [25, 30, 18], [0, 22, 5]]
    published = protect(counts, k=K)
    _check(counts, published)
    assert published.cells[0][1] is None and published.cells[2][2] is None
    assert published.hidden >= 4  # two primaries cannot be protected by fewer than four hidden values


def test_a_chain_of_hidden_cells_that_differencing_across_lines_would_open_is_closed() -> None:
    # Two small cells far apart: hiding one partner in each row alone can leave a bridge between them.
    counts = [[5, 40, 40, 40], [40, 40, 40, 6], [40, 40, 40, 40]]
    _check(counts, protect(counts, k=K))


@pytest.mark.parametrize("seed", range(60))
def test_random_tables_leak_nothing(seed: int) -> None:
    rng = random.Random(seed)
    rows, columns = rng.randint(1, 5), rng.randint(1, 6)
    counts = [[rng.choice([0, rng.randint(1, 10), rng.randint(11, 80)]) for _ in range(columns)] for _ in range(rows)]
    _check(counts, protect(counts, k=K))


def test_rounding_applies_to_shown_values_only() -> None:
    published = protect([[12, 33, 47]], k=K, round_to=5)
    assert published.cells == [[10, 35, 45]] and published.total == 90
    assert protect([[4, 33, 47]], k=K, round_to=5).cells[0][0] is None


def test_the_independent_check_catches_primary_suppression_alone() -> None:
    """Hiding only the small cells gives them away: the check must say so."""
    counts = [[3, 50, 60], [40, 41, 42]]
    naive = Protected(
        cells=[[None, 50, 60], [40, 41, 42]],
        row_totals=[113, 123],
        column_totals=[43, 91, 102],
        total=236,
        cell_reasons=[[PRIMARY, None, None], [None, None, None]],
        row_total_reasons=[None, None],
        column_total_reasons=[None, None, None],
        total_reason=None,
    )
    assert recoverable(counts, naive) == ["cell 0,0"]
    assert not recoverable(counts, protect(counts, k=K))
