"""Encrypt the free text that was stored in clear (issue 13, F5): a case's
deciding body and regions of recruitment and exploitation, a milestone's
deciding body. Each value is sealed with its survivor's data key exactly as
the application seals it (AES-256-GCM, associated data table|column|row|key).

History: the event tables' copies become NULL (the column's type changes
with ``USING NULL``, a table rewrite, not an UPDATE, so the append-only
triggers do not object): history never keeps plaintext. Rows of erased
survivors (destroyed key) get an empty value, which reads as null.

Reversible: the reverse decrypts back into text columns (history stays NULL).
"""

from django.db import migrations, models

import ngo_cases.crypto.fields

# (table, event table, column, kind): "text" columns were varchar(200), "list" varchar(120)[]
COLUMNS = [
    ("cases_case", "cases_caseevent", "trafficking_status_decided_by", "text"),
    ("cases_case", "cases_caseevent", "regions_of_recruitment", "list"),
    ("cases_case", "cases_caseevent", "regions_of_exploitation", "list"),
    ("cases_milestone", "cases_milestoneevent", "deciding_body", "text"),
]


def _field(column, kind):
    """A field object like the model's, used only to seal and open values."""
    if kind == "list":
        field = ngo_cases.crypto.fields.EncryptedListField()
    else:
        field = ngo_cases.crypto.fields.EncryptedCharField(max_length=200)
    field.set_attributes_from_name(column)
    return field


class _Row:
    """What the field's sealing needs of a row: its table, id and data key."""

    def __init__(self, table, pk, data_key):
        self.pk = pk
        self.data_key = data_key
        self.data_key_id = data_key.pk

        class _Meta:
            db_table = table

        self._meta = _Meta


def encrypt(apps, schema_editor):
    from ngo_cases.crypto.errors import KeyDestroyed

    DataKey = apps.get_model("crypto", "DataKey")
    connection = schema_editor.connection
    for table, events, column, kind in COLUMNS:
        field = _field(column, kind)
        with connection.cursor() as cursor:
            cursor.execute(f'ALTER TABLE "{table}" ADD COLUMN "{column}__sealed" bytea')
            cursor.execute(f'SELECT id, data_key_id, "{column}" FROM "{table}"')
            rows = cursor.fetchall()
        keys = {key.pk: key for key in DataKey.objects.filter(pk__in={row[1] for row in rows})}
        with connection.cursor() as cursor:
            for pk, data_key_id, value in rows:
                plain = list(value or []) if kind == "list" else (value or "")
                try:
                    blob = field.encrypt(_Row(table, pk, keys[data_key_id]), plain).blob
                except KeyDestroyed:
                    blob = b""  # erased: nothing to keep
                cursor.execute(f'UPDATE "{table}" SET "{column}__sealed" = %s WHERE id = %s', [blob, pk])
            # Deferred checks of the updates run now: ALTER TABLE refuses a table with pending trigger events.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')
            cursor.execute(f'ALTER TABLE "{table}" RENAME COLUMN "{column}__sealed" TO "{column}"')
            cursor.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" SET NOT NULL')
            cursor.execute(
                f'ALTER TABLE "{events}" ALTER COLUMN "{column}" DROP NOT NULL, '
                f'ALTER COLUMN "{column}" TYPE bytea USING NULL'
            )


def decrypt(apps, schema_editor):
    from ngo_cases.crypto.errors import KeyDestroyed
    from ngo_cases.crypto.fields import Sealed

    DataKey = apps.get_model("crypto", "DataKey")
    connection = schema_editor.connection
    for table, events, column, kind in COLUMNS:
        field = _field(column, kind)
        sql_type = "varchar(120)[]" if kind == "list" else "varchar(200)"
        with connection.cursor() as cursor:
            cursor.execute(f'ALTER TABLE "{table}" ADD COLUMN "{column}__plain" {sql_type}')
            cursor.execute(f'SELECT id, data_key_id, "{column}" FROM "{table}"')
            rows = cursor.fetchall()
        keys = {key.pk: key for key in DataKey.objects.filter(pk__in={row[1] for row in rows})}
        with connection.cursor() as cursor:
            for pk, data_key_id, blob in rows:
                try:
                    value = field.decrypt(_Row(table, pk, keys[data_key_id]), Sealed(bytes(blob)))
                except KeyDestroyed:
                    value = None
                value = (value or []) if kind == "list" else (value or "")
                cursor.execute(f'UPDATE "{table}" SET "{column}__plain" = %s WHERE id = %s', [value, pk])
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')
            cursor.execute(f'ALTER TABLE "{table}" RENAME COLUMN "{column}__plain" TO "{column}"')
            cursor.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" SET NOT NULL')
            cursor.execute(f'ALTER TABLE "{events}" ALTER COLUMN "{column}" TYPE {sql_type} USING NULL')


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_field_labels"),
        ("crypto", "0001_keystore_schema_and_data_keys"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(encrypt, decrypt)],
            state_operations=[
                migrations.AlterField(
                    model_name="case",
                    name="regions_of_exploitation",
                    field=ngo_cases.crypto.fields.EncryptedListField(verbose_name="regions of exploitation"),
                ),
                migrations.AlterField(
                    model_name="case",
                    name="regions_of_recruitment",
                    field=ngo_cases.crypto.fields.EncryptedListField(verbose_name="regions of recruitment"),
                ),
                migrations.AlterField(
                    model_name="case",
                    name="trafficking_status_decided_by",
                    field=ngo_cases.crypto.fields.EncryptedCharField(max_length=200, verbose_name="deciding body"),
                ),
                migrations.AlterField(
                    model_name="caseevent",
                    name="regions_of_exploitation",
                    field=models.BinaryField(null=True),
                ),
                migrations.AlterField(
                    model_name="caseevent",
                    name="regions_of_recruitment",
                    field=models.BinaryField(null=True),
                ),
                migrations.AlterField(
                    model_name="caseevent",
                    name="trafficking_status_decided_by",
                    field=models.BinaryField(null=True),
                ),
                migrations.AlterField(
                    model_name="milestone",
                    name="deciding_body",
                    field=ngo_cases.crypto.fields.EncryptedCharField(max_length=200, verbose_name="deciding body"),
                ),
                migrations.AlterField(
                    model_name="milestoneevent",
                    name="deciding_body",
                    field=models.BinaryField(null=True),
                ),
            ],
        ),
    ]
