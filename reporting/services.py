"""Writes of the statistics: the anonymised export, asked for, built (by
a worker: reporting.tasks) and expired (beat). docs/statistics.md, "The
export"."""

from __future__ import annotations

import csv
import datetime
import io
import logging
import tempfile
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import xlsxwriter
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from attachments.services import queue_stored_object_deletion
from attachments.storage import attachment_storage, new_storage_name, open_for_writing
from ngo_cases.crypto import keys, stream
from ngo_cases.crypto.models import DataKey

from . import counts, ctdc
from .anonymity import Choice, choose, generalise
from .models import AnonymisedExport, ExportFormat, ExportStatus
from .selectors import Filters, export_sources

logger = logging.getLogger(__name__)


def export_request(*, requested_by: Any, filters: Filters) -> AnonymisedExport:
    """A new export of the organisation's consented cases (the filters'
    period and team), built by a worker after this transaction commits."""
    parameters: dict[str, str] = {}
    if filters.opened_from is not None:
        parameters["opened_from"] = filters.opened_from.isoformat()
    if filters.opened_to is not None:
        parameters["opened_to"] = filters.opened_to.isoformat()
    if filters.team_id is not None:
        parameters["team"] = str(filters.team_id)
    export = AnonymisedExport.objects.create(
        organisation_id=filters.organisation_id,
        requested_by=requested_by,
        expires_at=timezone.now() + datetime.timedelta(hours=settings.NGO_STATISTICS_EXPORT_HOURS),
        parameters=parameters,
        k=settings.NGO_STATISTICS_K,
    )
    from .tasks import build_export

    transaction.on_commit(lambda: build_export.delay(str(export.pk)))
    logger.info("anonymised export %s requested by user %s", export.pk, requested_by.pk)
    return export


def export_filters(export: AnonymisedExport) -> Filters:
    parameters = export.parameters
    day = datetime.date.fromisoformat
    return Filters(
        organisation_id=export.organisation_id,
        opened_from=day(parameters["opened_from"]) if "opened_from" in parameters else None,
        opened_to=day(parameters["opened_to"]) if "opened_to" in parameters else None,
        team_id=uuid.UUID(parameters["team"]) if "team" in parameters else None,
    )


def export_build(export_id: Any) -> None:
    """Choose the generalisation on one snapshot of the data, then write the
    records it publishes as CSV and XLSX, encrypted, into the storage. A
    second worker given the same export (a redelivered task) skips it."""
    outermost = not connection.in_atomic_block
    written: list[str] = []
    try:
        with transaction.atomic():
            if outermost:  # both passes over the records read one snapshot
                connection.cursor().execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            export = (
                AnonymisedExport.objects.select_for_update(skip_locked=True)
                .filter(pk=export_id, status=ExportStatus.PENDING)
                .first()
            )
            if export is None:
                return
            _build(export, written)
    except Exception:
        logger.exception("anonymised export %s failed", export_id)
        storage = attachment_storage()
        for name in written:
            storage.delete(name)
        AnonymisedExport.objects.filter(pk=export_id, status=ExportStatus.PENDING).update(status=ExportStatus.FAILED)
        raise


def _build(export: AnonymisedExport, written: list[str]) -> None:
    filters = export_filters(export)
    counts = Counter(source.quasi_identifiers() for source in export_sources(filters))
    max_withheld = settings.NGO_STATISTICS_EXPORT_MAX_WITHHELD_PERCENT / 100
    choice = choose(counts, ctdc.HIERARCHIES, k=export.k, max_withheld=max_withheld)
    data_key = keys.data_key_create()
    data_key.save()
    cipher = keys.data_cipher(data_key)
    files = {fmt: _EncryptedFile(export, fmt, cipher) for fmt in ExportFormat.values}
    with ExitStack() as stack:
        for encrypted in files.values():
            stack.enter_context(encrypted)
            written.append(encrypted.name)
        records = _write(export, choice, _published(filters, choice), files)
    export.status = ExportStatus.READY
    export.data_key = data_key
    export.records = records
    export.withheld = choice.withheld
    export.generalisation = ctdc.level_names(choice.levels)
    export.csv_object, export.csv_key, export.csv_size = files["csv"].stored()
    export.xlsx_object, export.xlsx_key, export.xlsx_size = files["xlsx"].stored()
    export.save()
    logger.info("anonymised export %s: %d records published, %d withheld", export.pk, records, choice.withheld)


def _published(filters: Filters, choice: Choice) -> Iterator[dict[str, Any]]:
    for source in export_sources(filters):
        generalised = generalise(source.quasi_identifiers(), choice.levels, ctdc.HIERARCHIES)
        if choice.keeps(generalised):
            yield ctdc.record(source, generalised)


class _EncryptedFile:
    """A file written in pieces through the stream cipher into the storage
    under a random name; its key sealed with the export's data key."""

    def __init__(self, export: AnonymisedExport, fmt: str, cipher: Any) -> None:
        self.name = new_storage_name()
        self.file_id = export.file_id(fmt)
        self._raw, self._wrapped = stream.wrap_file_key(cipher, self.file_id)
        self._encryptor = stream.Encryptor(self._raw, self.file_id)
        self.size = 0

    def __enter__(self) -> _EncryptedFile:
        self._out = open_for_writing(self.name)
        self._out.write(self._encryptor.header())
        return self

    def write(self, piece: bytes) -> None:
        self.size += len(piece)
        sealed = self._encryptor.update(piece)
        if sealed:
            self._out.write(sealed)

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self._out.write(self._encryptor.finish())
        self._out.close()

    def stored(self) -> tuple[str, bytes, int]:
        return self.name, self._wrapped, self.size


def _write(
    export: AnonymisedExport, choice: Choice, records: Iterable[dict[str, Any]], files: dict[str, _EncryptedFile]
) -> int:
    """CSV streamed row by row into the cipher; the workbook written row by
    row in a private temporary directory (XlsxWriter's constant-memory mode:
    in memory it took 8 KB a record, 6 GB at 790,000), then encrypted into
    the storage and the directory removed. Its files hold the same
    anonymised records as the export, for the minutes it takes."""
    with tempfile.TemporaryDirectory(prefix="ngo-export-") as scratch:  # 0700
        path = Path(scratch) / "records.xlsx"
        workbook = xlsxwriter.Workbook(
            str(path), {"constant_memory": True, "tmpdir": scratch, "strings_to_formulas": False}
        )
        count = _write_rows(export, choice, records, files, workbook)
        with path.open("rb") as built:
            while block := built.read(1024 * 1024):
                files["xlsx"].write(block)
    return count


def _write_rows(
    export: AnonymisedExport,
    choice: Choice,
    records: Iterable[dict[str, Any]],
    files: dict[str, _EncryptedFile],
    workbook: Any,
) -> int:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(ctdc.COLUMNS)
    sheet = workbook.add_worksheet("records")
    sheet.write_row(0, 0, ctdc.COLUMNS)
    count = 0
    for count, row in enumerate(records, start=1):
        values = [row[column] for column in ctdc.COLUMNS]
        writer.writerow(values)
        sheet.write_row(count, 0, [None if value == "" else value for value in values])
        if text.tell() > 64 * 1024:
            files["csv"].write(text.getvalue().encode())
            text.seek(0)
            text.truncate()
    files["csv"].write(text.getvalue().encode())
    about = workbook.add_worksheet("about")
    for index, (label, value) in enumerate(_about(export, choice, count)):
        about.write_row(index, 0, [label, value])
    workbook.close()
    return count


def _about(export: AnonymisedExport, choice: Choice, records: int) -> list[tuple[str, str]]:
    levels = ctdc.level_names(choice.levels)
    return [
        ("format", "CTDC global k-anonymised dataset columns, HTCDS 2.0 vocabulary (docs/statistics.md)"),
        ("records", str(records)),
        ("records withheld (in classes smaller than k)", str(choice.withheld)),
        ("k", str(export.k)),
        ("quasi-identifiers", ", ".join(f"{name}: {level}" for name, level in levels.items())),
        ("cases opened from", export.parameters.get("opened_from", "")),
        ("cases opened until", export.parameters.get("opened_to", "")),
        ("one team only", "yes" if "team" in export.parameters else "no"),
        ("prepared", timezone.localdate().isoformat()),
        ("cite as", citation(export)),
    ]


def citation(export: AnonymisedExport) -> str:
    organisation = export.organisation.name
    period = " to ".join(export.parameters.get(key, "…") for key in ("opened_from", "opened_to"))
    return (
        f"{organisation}, anonymised case records (CTDC format, HTCDS 2.0), k = {export.k}, "
        f"cases opened {period}, prepared {export.requested_at:%Y-%m-%d}."
    )


def exports_expire(now: datetime.datetime | None = None) -> int:
    """Exports past their hours: the data key destroyed (the files can no
    longer be read), the files deleted, the row kept as the record of who
    exported what. Returns how many expired."""
    now = now or timezone.now()
    expired = 0
    with transaction.atomic():
        due = (
            AnonymisedExport.objects.select_for_update(skip_locked=True)
            .filter(expires_at__lte=now)
            .exclude(status=ExportStatus.EXPIRED)
        )
        for export in due:
            queue_stored_object_deletion([name for name in (export.csv_object, export.xlsx_object) if name])
            if export.data_key_id is not None:
                keys.data_key_destroy(DataKey(pk=export.data_key_id))
            export.status = ExportStatus.EXPIRED
            export.csv_object = export.xlsx_object = ""
            export.csv_key = export.xlsx_key = None
            export.save()
            expired += 1
    if expired:
        logger.info("%d anonymised exports expired", expired)
    return expired


# --- the summary the figures count (CaseFact) ------------------------------------------------------

# One rebuild at a time (beat's runs could overlap if one took longer than the interval).
FACTS_LOCK = 0x5EC7_0018

_FACTS_SQL = """
INSERT INTO reporting_casefact (
    case_id, survivor_id, organisation_id, team_id, opened_on, consent_until, gender, age_band, migration_status,
    citizenships, exploitation_types, sexual_exploitation_types, labour_industry, means_of_control,
    recruitment_methods, trafficker_relationship, countries_of_exploitation)
SELECT c.id, c.survivor_id, c.organisation_id, c.team_id, (c.opened_at AT TIME ZONE %(zone)s)::date, k.until,
       s.gender, s.age_band, s.migration_status, s.citizenships, c.exploitation_types, c.sexual_exploitation_types,
       c.labour_industry, c.means_of_control, c.recruitment_methods, c.trafficker_relationship,
       c.countries_of_exploitation
  FROM cases_case c
  JOIN cases_survivor s ON s.id = c.survivor_id
  JOIN (SELECT case_id, max(coalesce(expires_at, 'infinity')) AS until
          FROM cases_consent
         WHERE scope = 'reporting' AND revoked_at IS NULL AND given_at <= now()
         GROUP BY case_id) k ON k.case_id = c.id
"""


def case_facts_refresh() -> int:
    """Rebuild the summary from the cases and their live reporting consents,
    the counts kept ahead from it (``reporting.counts``), and the moment it
    was taken (``SummaryState``: revocations after it are taken out at each
    query, so a revocation never waits for this). One transaction: readers
    see the old rows until it commits. Returns the summary rows written."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [FACTS_LOCK])
        cursor.execute("DELETE FROM reporting_casefact")
        cursor.execute(_FACTS_SQL, {"zone": settings.TIME_ZONE})
        written = int(cursor.rowcount)
        cursor.execute("ANALYZE reporting_casefact")  # the planner sees the new rows at once
        counts.keep_all(cursor)
        cursor.execute(
            "INSERT INTO reporting_summarystate (id, taken_at) VALUES (1, now())"
            " ON CONFLICT (id) DO UPDATE SET taken_at = EXCLUDED.taken_at"
        )
        return written
