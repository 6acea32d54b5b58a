"""Verifying the access log's hash chain (the database makes it at commit;
see migration 0002). The same SQL function recomputes every hash, so the
verifier and the trigger cannot disagree about the canonical text."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

GENESIS = bytes(32)

_FIRST_BROKEN = """
WITH chain AS (
  SELECT l.seq, l.entry_id, l.hash, l.prev_hash, audit_entry_hash(l.prev_hash, l.seq, e) AS computed,
         lag(l.hash) OVER (ORDER BY l.seq) AS prev_actual,
         lag(l.seq) OVER (ORDER BY l.seq) AS prev_seq
  FROM audit_chainlink l JOIN audit_accesslogentry e ON e.id = l.entry_id
)
SELECT seq, entry_id,
  CASE WHEN seq <> coalesce(prev_seq, 0) + 1 THEN 'missing entries before this one'
       WHEN prev_hash IS DISTINCT FROM coalesce(prev_actual, %s) THEN 'link to the previous entry broken'
       ELSE 'entry changed' END
FROM chain
WHERE seq <> coalesce(prev_seq, 0) + 1
   OR prev_hash IS DISTINCT FROM coalesce(prev_actual, %s)
   OR hash IS DISTINCT FROM computed
ORDER BY seq LIMIT 1
"""


@dataclass(frozen=True)
class Verdict:
    entries: int
    head_seq: int | None
    head_hash: str | None
    broken_seq: int | None = None
    broken_id: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem

    @property
    def head(self) -> str:
        return f"{self.head_seq}:{self.head_hash}" if self.head_seq else "0:"


def verify(expect_head: str | None = None) -> Verdict:
    """Walk the whole chain in the database; the first broken link, if any.
    ``expect_head`` (``seq:hexhash``, exported earlier) must still be in it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM audit_accesslogentry")
        (entries,) = cursor.fetchone()
        cursor.execute("SELECT seq, encode(hash, 'hex') FROM audit_chainlink ORDER BY seq DESC LIMIT 1")
        row = cursor.fetchone()
        head_seq, head_hash = (row[0], row[1]) if row else (None, None)
        cursor.execute(_FIRST_BROKEN, [GENESIS, GENESIS])
        broken = cursor.fetchone()
        if broken is not None:
            return Verdict(entries, head_seq, head_hash, broken_seq=broken[0], broken_id=broken[1], problem=broken[2])
        # Committed entries all have a link (the trigger runs at commit): one without was slipped in.
        cursor.execute(
            "SELECT e.id FROM audit_accesslogentry e LEFT JOIN audit_chainlink l ON l.entry_id = e.id "
            "WHERE l.seq IS NULL ORDER BY e.id LIMIT 1"
        )
        unchained = cursor.fetchone()
        if unchained is not None:
            return Verdict(entries, head_seq, head_hash, broken_id=unchained[0], problem="entry outside the chain")
        if expect_head:
            seq_text, _, hash_text = expect_head.partition(":")
            cursor.execute(
                "SELECT 1 FROM audit_chainlink WHERE seq = %s AND hash = decode(%s, 'hex')",
                [int(seq_text) if seq_text.isdigit() else -1, hash_text if len(hash_text) == 64 else ""],
            )
            if cursor.fetchone() is None:
                return Verdict(
                    entries, head_seq, head_hash, problem=f"the exported head {expect_head} is not in the chain"
                )
    return Verdict(entries, head_seq, head_hash)
