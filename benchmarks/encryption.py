"""Benchmark: a page of 50 survivors with 10 encrypted fields, against the
same page in plaintext. Prints figures; asserts nothing. Not part of CI.

    make bench-encryption            # or: manage.py bench_encryption --rounds 300

Everything runs in one transaction that is rolled back: the survivors, the
plaintext twin table and the data keys never persist.

Measured, each as median and p95 over ``--rounds``:

* crypto only (no database): sealing 500 values with 50 data keys; opening
  them again including unwrapping the 50 data keys (what a list request does);
* a page read through the ORM: the same 50 rows from ``cases_survivor``
  (``select_related("data_key")``, all 10 identity fields read) and from a
  plaintext twin table with the same values in text/date/jsonb columns;
* a page written through the ORM: 50 ``save()`` calls including a new data
  key each, against 50 plain ``save()`` calls.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.core.management.base import CommandParser
from django.db import connection, models, transaction

from accounts.models import Organisation, OrganisationType, Role, User
from cases.models import Survivor
from ngo_cases.crypto import keys
from ngo_cases.crypto.fields import _DECRYPTED, EncryptedField

from .base import Benchmark, time_ms

PAGE = 50
ENCRYPTED_FIELDS = [f for f in Survivor._meta.concrete_fields if isinstance(f, EncryptedField)]
IDENTITY_FIELDS = [f.name for f in ENCRYPTED_FIELDS]


class PlainSurvivorTwin(models.Model):
    """The same identity fields, unencrypted; its table exists only inside the benchmark's transaction."""

    id = models.UUIDField(primary_key=True)
    given_names = models.CharField(max_length=200)
    middle_names = models.CharField(max_length=200)
    family_name = models.CharField(max_length=200)
    aliases = models.JSONField()
    date_of_birth = models.DateField()
    place_of_birth = models.CharField(max_length=200)
    phone = models.CharField(max_length=40)
    email = models.CharField(max_length=254)
    address = models.TextField()
    identity_documents = models.JSONField()
    created_at = models.DateTimeField()

    objects: models.Manager[PlainSurvivorTwin] = models.Manager()

    class Meta:
        app_label = "benchmarks"
        managed = False
        db_table = "bench_plain_survivor_twin"

    def __str__(self) -> str:
        return f"Plain twin {self.pk}"


class Rollback(Exception):
    pass


def _values(i: int) -> dict[str, Any]:
    return {
        "given_names": f"Анна-Мария {i}",
        "middle_names": "Сергеевна",
        "family_name": f"Иванова-Кузнецова {i}",
        "aliases": [f"Anna Ivanova {i}", "Аня"],
        "date_of_birth": datetime.date(1990, 1, 1) + datetime.timedelta(days=i),
        "place_of_birth": "Самарканд, Узбекистан",
        "phone": f"+99890123{i:04d}",
        "email": f"anna.ivanova{i}@example.org",
        "address": f"ул. Ленина, д. {i}, кв. 12, Ташкент 100000, Узбекистан",
        "identity_documents": [{"type": "passport", "number": f"AB{i:07d}", "issuing_country": "UZB"}],
    }


class EncryptionBenchmark(Benchmark):
    help = "Benchmark encrypting and decrypting a page of 50 survivors (prints figures; changes nothing)."
    baseline_name = "plaintext"
    label_width = 58

    @classmethod
    def add_arguments(cls, parser: CommandParser) -> None:
        parser.add_argument("--rounds", type=int, default=200)

    def run(self, rounds: int, **options: Any) -> None:
        try:
            with transaction.atomic():
                self._run(rounds)
                raise Rollback
        except Rollback:
            pass

    def _run(self, rounds: int) -> None:
        org = Organisation.objects.create(
            name="Bench partner (rolled back)", slug="bench-partner", org_type=OrganisationType.NGO
        )
        creator = User.objects.create(username="bench-creator", organisation=org, role=Role.CASEWORKER)
        now = datetime.datetime.now(tz=datetime.UTC)

        with connection.schema_editor() as editor:
            editor.create_model(PlainSurvivorTwin)

        survivors = []
        for i in range(PAGE):
            survivor = Survivor(created_by=creator, data_key=keys.data_key_create(), **_values(i))
            survivor.data_key.save()
            survivor.save()
            survivors.append(survivor)
            PlainSurvivorTwin.objects.create(id=survivor.pk, created_at=now, **_values(i))

        self.stdout.write(
            f"ngo-cases encryption benchmark: {PAGE} survivors x {len(IDENTITY_FIELDS)} encrypted fields, "
            f"{rounds} rounds, PostgreSQL {connection.pg_version}"  # type: ignore[attr-defined]
        )
        self.stdout.write(f"fields: {', '.join(IDENTITY_FIELDS)}\n")

        # --- crypto only ---------------------------------------------------------------
        fields = ENCRYPTED_FIELDS
        plain_values = [_values(i) for i in range(PAGE)]
        sealed_rows = [
            {f.attname: f.encrypt(s, plain_values[n][f.name]) for f in fields} for n, s in enumerate(survivors)
        ]
        data_keys = [s.data_key for s in survivors]

        def encode_only() -> None:
            for row in plain_values:
                for f in fields:
                    f.codec.encode(row[f.name])

        def seal_page() -> None:
            for n, s in enumerate(survivors):
                for f in fields:
                    f.encrypt(s, plain_values[n][f.name])

        def open_page() -> None:
            for n, s in enumerate(survivors):
                data_keys[n].__dict__.pop("_cipher", None)  # unwrap again, as a new request would
                for f in fields:
                    f.decrypt(s, sealed_rows[n][f.attname])

        encode = time_ms(encode_only, rounds)
        self.stdout.write("crypto only (no database)")
        self.row("  encode 500 values, no encryption (baseline)", encode)
        self.row("  seal 500 values (AES-256-GCM, 50 data keys)", time_ms(seal_page, rounds), encode)
        self.row("  unwrap 50 data keys + open 500 values", time_ms(open_page, rounds), encode)

        # --- a page read through the ORM ---------------------------------------------
        def read_plain() -> None:
            for row in PlainSurvivorTwin.objects.order_by("id")[:PAGE]:
                for name in IDENTITY_FIELDS:
                    getattr(row, name)

        def read_encrypted_untouched() -> None:
            list(Survivor.objects.select_related("data_key").order_by("id")[:PAGE])

        def read_encrypted() -> None:
            for row in Survivor.objects.select_related("data_key").order_by("id")[:PAGE]:
                for name in IDENTITY_FIELDS:
                    getattr(row, name)

        loaded = list(Survivor.objects.select_related("data_key").order_by("id")[:PAGE])

        def decrypt_loaded() -> None:
            for row in loaded:  # forget plaintexts and unwrapped keys, as a new request would
                row.__dict__.pop(_DECRYPTED, None)
                row.data_key.__dict__.pop("_cipher", None)
                for name in IDENTITY_FIELDS:
                    getattr(row, name)

        plain = time_ms(read_plain, rounds)
        self.stdout.write("\npage read through the ORM (one query each)")
        self.row("  plaintext twin table, 10 fields read (baseline)", plain)
        self.row("  encrypted table, fields not read (no decryption)", time_ms(read_encrypted_untouched, rounds), plain)
        self.row("  encrypted table, 10 fields read (decrypted)", time_ms(read_encrypted, rounds), plain)
        self.row("  decryption alone: 50 loaded rows, 10 fields read", time_ms(decrypt_loaded, rounds))

        # --- a page written through the ORM -----------------------------------------
        def write_plain() -> None:
            with transaction.atomic():
                for i in range(PAGE):
                    PlainSurvivorTwin(id=survivors[i].pk, created_at=now, **plain_values[i]).save(force_update=True)

        def write_encrypted() -> None:
            with transaction.atomic():
                for i, survivor in enumerate(survivors):
                    for name, value in plain_values[i].items():
                        setattr(survivor, name, value)
                    survivor.save(update_fields=IDENTITY_FIELDS)

        def create_encrypted() -> None:
            with transaction.atomic():
                for i in range(PAGE):
                    data_key = keys.data_key_create()
                    data_key.save()
                    Survivor(created_by=creator, data_key=data_key, **plain_values[i]).save(force_insert=True)
                transaction.set_rollback(True)

        def create_plain() -> None:
            with transaction.atomic():
                for i in range(PAGE):
                    PlainSurvivorTwin(id=uuid.uuid4(), created_at=now, **plain_values[i]).save(force_insert=True)
                transaction.set_rollback(True)

        write_rounds = max(10, rounds // 4)
        self.stdout.write(f"\npage written through the ORM ({write_rounds} rounds, one savepoint each)")
        baseline = time_ms(write_plain, write_rounds)
        self.row("  update 50 plaintext rows (baseline)", baseline)
        self.row("  update 50 encrypted rows (500 values sealed)", time_ms(write_encrypted, write_rounds), baseline)
        baseline = time_ms(create_plain, write_rounds)
        self.row("  insert 50 plaintext rows (baseline)", baseline)
        self.row("  insert 50 encrypted rows + 50 new data keys", time_ms(create_encrypted, write_rounds), baseline)
