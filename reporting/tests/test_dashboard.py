"""The statistics dashboard in the admin: tables and charts for the home
NGO's administrators and supervisors, hidden values shown as hidden (never
as zero), CSV and SVG downloads, every page and download in the access log."""

from __future__ import annotations

import csv
import io
import json

from django.test import Client
from PIL import Image, ImageDraw, ImageFont

from audit.models import AccessLogEntry
from conftest import Cast
from reporting import charts
from reporting.models import AnonymisedExport
from reporting.tasks import build_export
from reporting.tests.test_statistics_api import CANARY, _cases


def _admin(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_the_dashboard_shows_every_panel_with_hidden_values_marked(cast: Cast) -> None:
    _cases(cast, 11, gender="Feminine", exploitation_types=["ForcedLabour"])
    _cases(cast, 4, gender="Masculine", exploitation_types=["ForcedLabour"])
    page = _admin(cast.sam).get("/admin/statistics/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="panel-gender"' in body and 'id="panel-referrals-by-outcome"' in body
    assert "<svg" in body and "hidden-count" in body
    assert CANARY not in body
    gender = body.split('id="panel-gender"', 1)[1].split("</section>", 1)[0]
    assert '<th scope="row">Masculine</th><td><span class="hidden-count">hidden</span></td>' in gender
    assert '<th scope="row">Feminine</th><td><span class="hidden-count">hidden</span></td>' in gender  # companion
    assert '<th scope="row">Total</th><td>15</td>' in gender  # the total row
    labour = body.split('id="panel-exploitation-type"', 1)[1].split("</section>", 1)[0]
    assert "<td>15</td>" in labour  # 15 cases in forced labour: shown
    entry = AccessLogEntry.objects.filter(object_type="statistics").order_by("-id").first()
    assert entry is not None and entry.action == "report" and json.loads(entry.detail) == {"panel": "dashboard"}


def test_downloads_are_csv_and_svg_and_logged_with_their_parameters(cast: Cast) -> None:
    _cases(cast, 11, gender="Feminine")
    _cases(cast, 3, gender="Masculine")
    client = _admin(cast.adam)
    table = client.get("/admin/statistics/", {"team": str(cast.team_a.pk), "download": "csv", "panel": "gender"})
    assert table.status_code == 200 and table["Content-Type"].startswith("text/csv")
    assert table["Content-Disposition"] == 'attachment; filename="gender.csv"'
    rows = list(csv.reader(io.StringIO(table.content.decode())))
    assert rows[0] == ["Gender", "cases"]
    assert ["Masculine", "hidden"] in rows and ["Feminine", "hidden"] in rows and ["Total", "14"] in rows
    chart = client.get("/admin/statistics/", {"download": "svg", "panel": "gender"})
    assert chart["Content-Type"].startswith("image/svg+xml") and chart.content.startswith(b"<svg")
    assert b"hidden" in chart.content and CANARY.encode() not in chart.content
    exports = AccessLogEntry.objects.filter(object_type="statistics", action="export").order_by("id")
    assert [json.loads(entry.detail) for entry in exports] == [
        {"panel": "gender", "format": "csv", "team": str(cast.team_a.pk)},
        {"panel": "gender", "format": "svg"},
    ]
    assert client.get("/admin/statistics/", {"download": "exe", "panel": "gender"}).status_code == 403


def test_only_the_home_ngos_administrators_and_supervisors(cast: Cast) -> None:
    for persona, status in [("sam", 200), ("adam", 200), ("audrey", 403), ("root", 403)]:
        assert _admin(cast.persona(persona)).get("/admin/statistics/").status_code == status, persona
    assert Client().get("/admin/statistics/").status_code == 302
    index = _admin(cast.sam).get("/admin/").content.decode()
    assert 'href="/admin/statistics/"' in index
    assert 'href="/admin/statistics/"' not in _admin(cast.audrey).get("/admin/").content.decode()


def test_a_chart_downloads_as_png_with_cyrillic_labels_and_hidden_values_hatched(cast: Cast) -> None:
    _cases(cast, 11, gender="Feminine")
    _cases(cast, 3, gender="Masculine")
    _cases(cast, 12, gender="NonConforming")
    cast.adam.language = "ru"
    cast.adam.save(update_fields=["language"])
    response = _admin(cast.adam).get("/admin/statistics/", {"download": "png", "panel": "gender"})
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="gender.png"'
    image = Image.open(io.BytesIO(response.content)).convert("RGB")
    assert image.width == 2 * (charts.LABEL_WIDTH + charts.BAR_WIDTH + charts.VALUE_WIDTH)
    colours = {colour for _count, colour in image.getcolors(maxcolors=1 << 20) or []}
    assert (0x0E, 0x5A, 0x6E) in colours  # a shown bar (12)
    assert (0x6B, 0x72, 0x80) in colours  # the hatching of a hidden one
    entry = AccessLogEntry.objects.filter(object_type="statistics", action="export").get()
    assert json.loads(entry.detail) == {"panel": "gender", "format": "png"}


def test_the_shipped_font_draws_cyrillic() -> None:
    font = ImageFont.truetype(str(charts.FONTS / "DejaVuSans.ttf"), 24)

    def drawn(text: str) -> bytes:
        image = Image.new("L", (300, 40))
        ImageDraw.Draw(image).text((0, 0), text, font=font, fill=255)
        return image.tobytes()

    for word in ("Пол", "Женский", "скрыто"):
        missing = drawn("\U000f0000" * len(word))  # code points no font has: "missing glyph" boxes
        assert drawn(word) != missing and any(drawn(word))


def test_an_export_is_asked_for_listed_and_downloaded_from_the_dashboard(cast: Cast) -> None:
    _cases(cast, 11, gender="Feminine")
    client = _admin(cast.sam)
    page = client.post("/admin/statistics/exports/", {"team": str(cast.team_a.pk)})
    assert page.status_code == 302 and page["Location"] == "/admin/statistics/#exports"
    export = AnonymisedExport.objects.get()
    assert export.parameters == {"team": str(cast.team_a.pk)} and export.requested_by == cast.sam
    body = client.get("/admin/statistics/").content.decode()
    assert "Being prepared" in body and f"/admin/statistics/exports/{export.pk}/csv" not in body
    build_export(str(export.pk))
    body = client.get("/admin/statistics/").content.decode()
    assert f"/admin/statistics/exports/{export.pk}/csv" in body and "11 (0 withheld)" in body
    download = client.get(f"/admin/statistics/exports/{export.pk}/csv")
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    content = b"".join(download.streaming_content)  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(content.decode())))
    assert len(rows) == 12 and CANARY not in str(rows)
    assert client.get(f"/admin/statistics/exports/{export.pk}/pdf").status_code == 404
    assert _admin(cast.audrey).get(f"/admin/statistics/exports/{export.pk}/csv").status_code == 403
    actions = AccessLogEntry.objects.filter(object_type="statistics", actor=cast.sam).values_list("action", flat=True)
    assert {"export", "download"} <= set(actions)


def test_an_export_with_bad_filters_is_not_asked_for(cast: Cast) -> None:
    page = _admin(cast.sam).post("/admin/statistics/exports/", {"opened_from": "2026-02-01", "opened_to": "2026-01-01"})
    assert page.status_code == 302 and not AnonymisedExport.objects.exists()
