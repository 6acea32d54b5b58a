"""Every text-like column of every domain table and history table is either
encrypted (bytea) or on the reviewed list of plaintext columns in
docs/security.md ("Plaintext columns, reviewed"). A new plaintext column
that could hold free text about a person fails here until someone reviews it
and writes down why it may be plain (issue 13, F5)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

APPS = (
    "accounts",
    "cases",
    "attachments",
    "referrals",
    "reporting",
    "audit",
    "notifications",
    "reminders",
    "crypto",
)
SECTION = "## Plaintext columns, reviewed"
ROW = re.compile(r"^\| `([a-z0-9_]+)\.([a-z0-9_]+)` \|")


def _reviewed() -> set[tuple[str, str]]:
    text = (Path(__file__).resolve().parent.parent / "docs" / "security.md").read_text(encoding="utf-8")
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    return {(m.group(1), m.group(2)) for line in section.splitlines() if (m := ROW.match(line))}


def _text_columns() -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.table_name, c.column_name
              FROM information_schema.columns c
              JOIN information_schema.tables t USING (table_schema, table_name)
             WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
               AND c.data_type IN ('character varying', 'text', 'ARRAY', 'json', 'jsonb', 'character')
               AND split_part(c.table_name, '_', 1) = ANY(%s)
            """,
            [list(APPS)],
        )
        return set(cursor.fetchall())


def _domain_table(table: str) -> str:
    """A history table's columns are reviewed with its domain table's."""
    return table[: -len("event")] if table.endswith("event") else table


def test_every_plaintext_text_column_is_reviewed() -> None:
    reviewed = _reviewed()
    assert reviewed, f"no reviewed columns found under {SECTION!r} in docs/security.md"
    unreviewed = sorted(
        f"{table}.{column}"
        for table, column in _text_columns()
        if not column.startswith("pgh_") and (_domain_table(table), column) not in reviewed
    )
    assert not unreviewed, "plaintext text columns not reviewed in docs/security.md:\n" + "\n".join(unreviewed)


def test_the_reviewed_list_names_only_existing_columns() -> None:
    existing = {(_domain_table(t), c) for t, c in _text_columns()}
    stale = sorted(f"{t}.{c}" for t, c in _reviewed() - existing)
    assert not stale, "reviewed columns that no longer exist (or are now encrypted):\n" + "\n".join(stale)
