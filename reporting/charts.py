"""A panel's table as a chart (SVG, drawn on the server: no charting
library, no CDN, nothing run in the browser) and as CSV. Hidden values are
drawn as hidden, never as zero."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont

BAR_HEIGHT = 22
GAP = 6
LABEL_WIDTH = 300
BAR_WIDTH = 360
VALUE_WIDTH = 110


def _bars(table: dict[str, Any]) -> list[tuple[str, int | None]]:
    """(label, value) per bar: a row's count, or each (row, column) cell of a two-way table."""
    columns = table["columns"]
    bars = []
    for row, cells in zip(table["rows"], table["cells"], strict=True):
        for column, value in zip(columns, cells, strict=True):
            label = row["label"] if len(columns) == 1 else f"{row['label']} — {column['label']}"
            bars.append((label, value))
    return bars


def svg(table: dict[str, Any], *, titled: bool = True) -> str:
    """A horizontal bar chart; a hidden value is a hatched stub marked
    "hidden". ``titled``: with the panel's title on top (a downloaded chart
    stands alone; on the dashboard the heading says it)."""
    bars = _bars(table)
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    top = 32 if titled else 4
    height = top + 8 + len(bars) * (BAR_HEIGHT + GAP)
    largest = max([value for _label, value in bars if value] or [1])
    hidden_word = _("hidden (fewer than %(k)d, or would reveal one)") % {"k": table["k"]}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label={quoteattr(table["title"])} font-family="sans-serif" font-size="13">',
        '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#6b7280" stroke-width="2"/></pattern></defs>',
    ]
    if titled:
        parts.append(
            f'<text x="0" y="18" font-size="15" font-weight="bold" fill="#111827">{escape(table["title"])}</text>'
        )
    for index, (label, value) in enumerate(bars):
        y = top + index * (BAR_HEIGHT + GAP)
        text_y = y + BAR_HEIGHT * 0.7
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{text_y:.0f}" text-anchor="end" fill="#111827">{escape(label[:48])}</text>'
        )
        if value is None:
            stub = f'x="{LABEL_WIDTH}" y="{y}" width="40" height="{BAR_HEIGHT}"'
            parts.append(f'<rect {stub} fill="url(#hatch)" stroke="#6b7280"/>')
            parts.append(f'<text x="{LABEL_WIDTH + 48}" y="{text_y:.0f}" fill="#374151">{escape(hidden_word)}</text>')
            continue
        length = 0 if value == 0 else max(2, round(BAR_WIDTH * value / largest))
        parts.append(f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length}" height="{BAR_HEIGHT}" fill="#0e5a6e"/>')
        parts.append(f'<text x="{LABEL_WIDTH + length + 6}" y="{text_y:.0f}" fill="#111827">{value}</text>')
    parts.append("</svg>")
    return "".join(parts)


def csv_text(table: dict[str, Any]) -> str:
    """Rows and columns with their labels; a hidden value is written as "hidden", not left empty or zero."""
    out = io.StringIO()
    writer = csv.writer(out)
    columns = table["columns"]
    two_way = len(columns) > 1
    writer.writerow([table["title"], *(column["label"] for column in columns), *([_("Total")] if two_way else [])])
    shown = lambda value: _("hidden") if value is None else value  # noqa: E731
    for index, (row, cells) in enumerate(zip(table["rows"], table["cells"], strict=True)):
        totals = [shown(table["row_totals"][index])] if two_way else []
        writer.writerow([row["label"], *(shown(value) for value in cells), *totals])
    if two_way:
        writer.writerow([_("Total"), *(shown(value) for value in table["column_totals"]), shown(table["total"])])
    else:
        writer.writerow([_("Total"), shown(table["total"])])
    writer.writerow([])
    note = _(
        "Counts of cases whose survivors consented to anonymised reporting; every value below %(k)d hidden, "
        "with enough others that none can be worked out."
    )
    writer.writerow([note % {"k": table["k"]}])
    return out.getvalue()


# --- the same chart as PNG -------------------------------------------------------------------------

# DejaVu Sans (Bitstream Vera licence, reporting/fonts/LICENSE) is shipped with the code: Cyrillic and
# Latin labels render the same on every server, whatever fonts its system has.
FONTS = Path(__file__).resolve().parent / "fonts"
SCALE = 2  # drawn at twice the SVG's size: sharp on high-density screens and in print


def png(table: dict[str, Any]) -> bytes:
    """The chart :func:`svg` draws, as a PNG (with its title: a downloaded chart stands alone)."""
    bars = _bars(table)
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    top = 32
    height = top + 8 + len(bars) * (BAR_HEIGHT + GAP)
    largest = max([value for _label, value in bars if value] or [1])
    hidden_word = _("hidden (fewer than %(k)d, or would reveal one)") % {"k": table["k"]}
    image = Image.new("RGB", (width * SCALE, height * SCALE), "#ffffff")
    draw = ImageDraw.Draw(image)
    text = ImageFont.truetype(str(FONTS / "DejaVuSans.ttf"), 12 * SCALE)
    bold = ImageFont.truetype(str(FONTS / "DejaVuSans-Bold.ttf"), 14 * SCALE)

    def box(x: float, y: float, w: float, h: float) -> list[float]:
        return [x * SCALE, y * SCALE, (x + w) * SCALE - 1, (y + h) * SCALE - 1]

    draw.text((0, 18 * SCALE), table["title"], font=bold, fill="#111827", anchor="ls")
    for index, (label, value) in enumerate(bars):
        y = top + index * (BAR_HEIGHT + GAP)
        middle = (y + BAR_HEIGHT / 2) * SCALE
        draw.text(((LABEL_WIDTH - 8) * SCALE, middle), label[:48], font=text, fill="#111827", anchor="rm")
        if value is None:
            image.paste(_hatched_stub(), (LABEL_WIDTH * SCALE, y * SCALE))
            draw.text(((LABEL_WIDTH + 48) * SCALE, middle), hidden_word, font=text, fill="#374151", anchor="lm")
            continue
        length = 0 if value == 0 else max(2, round(BAR_WIDTH * value / largest))
        if length:
            draw.rectangle(box(LABEL_WIDTH, y, length, BAR_HEIGHT), fill="#0e5a6e")
        draw.text(((LABEL_WIDTH + length + 6) * SCALE, middle), str(value), font=text, fill="#111827", anchor="lm")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _hatched_stub() -> Image.Image:
    """The hidden value's mark: a hatched, outlined stub, as in the SVG."""
    width, height = 40 * SCALE, BAR_HEIGHT * SCALE
    stub = Image.new("RGB", (width, height), "#ffffff")
    draw = ImageDraw.Draw(stub)
    for offset in range(-height, width, 6 * SCALE):
        draw.line([offset, height, offset + height, 0], fill="#6b7280", width=SCALE)
    draw.rectangle([0, 0, width - 1, height - 1], outline="#6b7280", width=SCALE)
    return stub
