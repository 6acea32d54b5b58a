"""Small-cell suppression of published counts (issue 18): no count of
1 to k-1 people is shown, and no hidden count can be worked out from what
is shown — totals, neighbours, or any combination of them.

A panel is a table of counts (``rows`` by ``columns``; a single list is one
row) published with its row totals, column totals and grand total. Every
published value is a variable of one linear system: each row adds up to
its total, each column to its total, and the totals to the grand total.

1. **Primary suppression**: every published value from 1 to k-1 is hidden
   (zero is shown: it says no one, which discloses no one).
2. **Complementary suppression**: a hidden value is *determined* when the
   shown values and the equations fix it — the classic case is a row with
   one hidden cell and its total shown (total minus the others). Determined is
   tested exactly: ``x`` is fixed by the system iff the unit vector of
   ``x`` lies in the row space of the equations restricted to the unknowns
   (exact rational elimination, so no floating-point doubt). While some
   hidden value is determined, the smallest shown non-zero value of an
   equation it appears in is hidden as well (the least information lost),
   and the test runs again.

What this protects against is exact recovery (differencing). Like every
cell-suppression scheme in use (GBVIMS, CTDC's aggregate tables), it can
still narrow a hidden cell to a range; k = 11 is chosen so that the range
is not a person. Rounding (``round_to``) is optional and applied after
suppression, each shown value on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

PRIMARY = "primary"
COMPLEMENTARY = "complementary"


@dataclass(frozen=True)
class Protected:
    """A table as it may be published: ``None`` where a value is hidden;
    ``reasons`` says why each hidden value is hidden (same shape)."""

    cells: list[list[int | None]]
    row_totals: list[int | None]
    column_totals: list[int | None]
    total: int | None
    cell_reasons: list[list[str | None]]
    row_total_reasons: list[str | None]
    column_total_reasons: list[str | None]
    total_reason: str | None

    @property
    def hidden(self) -> int:
        """How many published values are hidden."""
        flat = [*(c for row in self.cells for c in row), *self.row_totals, *self.column_totals, self.total]
        return sum(value is None for value in flat)


class _System:
    """The table's variables and equations. Variables: cells (r*C + c), then
    row totals, column totals, the grand total. Every variable is published
    except, in a single-row table, the row total (it is the grand total) and,
    in a single-column table, the column total (likewise)."""

    def __init__(self, counts: Sequence[Sequence[int]]) -> None:
        self.rows, self.columns = len(counts), len(counts[0]) if counts else 0
        r, c = self.rows, self.columns
        self.cell = lambda i, j: i * c + j
        self.row_total = lambda i: r * c + i
        self.column_total = lambda j: r * c + r + j
        self.grand = r * c + r + c
        self.size = self.grand + 1
        values = [0] * self.size
        for i in range(r):
            for j in range(c):
                values[self.cell(i, j)] = counts[i][j]
            values[self.row_total(i)] = sum(counts[i])
        for j in range(c):
            values[self.column_total(j)] = sum(counts[i][j] for i in range(r))
        values[self.grand] = sum(values[self.row_total(i)] for i in range(r))
        self.values = values
        self.published = set(range(r * c)) | {self.grand}
        if c > 1:
            self.published |= {self.row_total(i) for i in range(r)}
        if r > 1:
            self.published |= {self.column_total(j) for j in range(c)}
        # Each equation as {variable: coefficient}, summing to zero.
        self.equations: list[dict[int, int]] = []
        for i in range(r):
            self.equations.append({**{self.cell(i, j): 1 for j in range(c)}, self.row_total(i): -1})
        for j in range(c):
            self.equations.append({**{self.cell(i, j): 1 for i in range(r)}, self.column_total(j): -1})
        self.equations.append({**{self.row_total(i): 1 for i in range(r)}, self.grand: -1})
        self.equations.append({**{self.column_total(j): 1 for j in range(c)}, self.grand: -1})

    def determined(self, hidden: set[int]) -> list[int]:
        """The hidden published variables the shown ones fix."""
        unknown = sorted(hidden | (set(range(self.size)) - self.published))
        index = {var: n for n, var in enumerate(unknown)}
        matrix = [[Fraction(0)] * len(unknown) for _ in self.equations]
        for row, equation in zip(matrix, self.equations, strict=True):
            for var, coefficient in equation.items():
                if var in index:
                    row[index[var]] = Fraction(coefficient)
        pivots = _reduce(matrix)
        fixed = []
        for row_number, column in pivots:
            row = matrix[row_number]
            if all(value == 0 for n, value in enumerate(row) if n != column):
                var = unknown[column]
                if var in hidden:
                    fixed.append(var)
        return fixed


def _reduce(matrix: list[list[Fraction]]) -> list[tuple[int, int]]:
    """Reduced row echelon form in place; the (row, column) of each pivot."""
    pivots: list[tuple[int, int]] = []
    row_count = len(matrix)
    column_count = len(matrix[0]) if matrix else 0
    top = 0
    for column in range(column_count):
        pivot = next((r for r in range(top, row_count) if matrix[r][column] != 0), None)
        if pivot is None:
            continue
        matrix[top], matrix[pivot] = matrix[pivot], matrix[top]
        lead = matrix[top][column]
        matrix[top] = [value / lead for value in matrix[top]]
        for r in range(row_count):
            if r != top and matrix[r][column] != 0:
                factor = matrix[r][column]
                matrix[r] = [a - factor * b for a, b in zip(matrix[r], matrix[top], strict=True)]
        pivots.append((top, column))
        top += 1
        if top == row_count:
            break
    return pivots


def protect(counts: Sequence[Sequence[int]], *, k: int, round_to: int = 0) -> Protected:
    """The table with every count below ``k`` hidden and enough others
    hidden that none of them can be recovered; shown values rounded to the
    nearest multiple of ``round_to`` when it is above 1."""
    if k < 1:
        raise ValueError("k must be at least 1")
    if not counts or not counts[0] or any(len(row) != len(counts[0]) for row in counts):
        raise ValueError("a table needs rows of equal, non-zero length")
    system = _System(counts)
    values = system.values
    reasons: dict[int, str] = {var: PRIMARY for var in system.published if 0 < values[var] < k}
    while True:
        fixed = system.determined(set(reasons))
        if not fixed:
            break
        reasons[_companion(system, fixed[0], set(reasons))] = COMPLEMENTARY
    return _publish(system, reasons, round_to)


def _companion(system: _System, var: int, hidden: set[int]) -> int:
    """What to hide so that ``var`` is no longer fixed: the smallest shown
    non-zero value of an equation ``var`` is in (cells before totals on a
    tie), else of any equation."""

    def candidates(equations: list[dict[int, int]]) -> list[int]:
        return [
            other
            for equation in equations
            for other in equation
            if other in system.published and other not in hidden and system.values[other] > 0
        ]

    own = candidates([equation for equation in system.equations if var in equation])
    pool = own or candidates(system.equations)
    if not pool:  # everything non-zero is hidden already; cannot happen while var is fixed by shown values
        raise AssertionError("no value left to hide")
    return min(pool, key=lambda other: (system.values[other], other >= system.rows * system.columns, other))


def _publish(system: _System, reasons: dict[int, str], round_to: int) -> Protected:
    def shown(var: int) -> int | None:
        if var in reasons:
            return None
        value = system.values[var]
        return round(value / round_to) * round_to if round_to > 1 else value

    r, c = system.rows, system.columns
    return Protected(
        cells=[[shown(system.cell(i, j)) for j in range(c)] for i in range(r)],
        row_totals=[shown(system.row_total(i)) for i in range(r)] if c > 1 else [],
        column_totals=[shown(system.column_total(j)) for j in range(c)] if r > 1 else [],
        total=shown(system.grand),
        cell_reasons=[[reasons.get(system.cell(i, j)) for j in range(c)] for i in range(r)],
        row_total_reasons=[reasons.get(system.row_total(i)) for i in range(r)] if c > 1 else [],
        column_total_reasons=[reasons.get(system.column_total(j)) for j in range(c)] if r > 1 else [],
        total_reason=reasons.get(system.grand),
    )
