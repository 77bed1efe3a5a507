"""Return readers under hostile files: bounded memory, clear refusals.

Each hostile file is parsed in a child process whose peak resident memory
(VmHWM, tests/peak_memory.py) is compared with the ceiling the README states per upload
(readers.UPLOAD_MEMORY_CEILING_MB). Issue 21, finding 1: a 30 KB workbook with one
cell per row in column XFD took a worker to 1.34 GB, because the reader padded
every row to its last cell."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from data_access.returns import readers, spec
from tests.peak_memory import read_in_child

ROOT = Path(__file__).resolve().parents[2]
HEADER = spec.TEMPLATE_COLUMNS


def xlsx(rows_xml: str, *, dimension: str | None) -> bytes:
    """A minimal workbook whose "Return" sheet holds `rows_xml` (inline strings)."""
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Default Extension="rels" ContentType='
            '"application/vnd.openxmlformats-package.relationships+xml"/><Default '
            'Extension="xml" ContentType="application/xml"/><Override PartName='
            '"/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
            '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<?xml version="1.0"?><Relationships xmlns="{pkg}"><Relationship '
            f'Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0"?><workbook xmlns="{ns}" xmlns:r="{rel}"><sheets>'
            '<sheet name="Return" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0"?><Relationships xmlns="{pkg}"><Relationship '
            f'Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": (
            f'<?xml version="1.0"?><worksheet xmlns="{ns}">{dim}<sheetData>'
            f"{rows_xml}</sheetData></worksheet>"
        ),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        for name, text in parts.items():
            book.writestr(name, text)
    return out.getvalue()


def _letters(number: int) -> str:
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def header_row() -> str:
    cells = "".join(
        f'<c r="{_letters(i)}1" t="inlineStr"><is><t>{name}</t></is></c>'
        for i, name in enumerate(HEADER, start=1)
    )
    return f'<row r="1">{cells}</row>'


def wide_workbook(rows: int = 6000, *, dimension: bool) -> bytes:
    """The probe's file: a template header, then one number per row in XFD."""
    body = "".join(
        f'<row r="{n}"><c r="XFD{n}"><v>1</v></c></row>' for n in range(2, rows + 2)
    )
    return xlsx(
        header_row() + body, dimension=f"A1:XFD{rows + 1}" if dimension else None
    )


def parse_in_child(tmp_path, content: bytes, name: str) -> dict:
    """Read every row of `content` in a fresh interpreter; its peak RSS in MiB
    (the child's own high-water mark, tests/peak_memory.py) and
    the refusal, if any."""
    path = tmp_path / name
    path.write_bytes(content)
    return read_in_child(
        setup="from data_access.returns import readers, spec",
        body=(
            f"table = readers.read_table(open({str(path)!r}, 'rb').read(), {name!r})\n"
            "for _ in table.rows:\n    pass"
        ),
        refusal="spec.FileRefused",
    )


@pytest.mark.parametrize("dimension", [True, False], ids=["dimension", "no-dimension"])
def test_a_wide_workbook_is_refused_under_the_memory_ceiling(tmp_path, dimension):
    content = wide_workbook(dimension=dimension)
    assert len(content) < 100_000  # the probe's file was 30 KB
    outcome = parse_in_child(tmp_path, content, "wide.xlsx")
    assert outcome["refused"], "the wide sheet must be refused"
    assert "at most 26 columns (A to Z)" in outcome["refused"]
    assert "XFD" in outcome["refused"]
    assert outcome["peak_mib"] < readers.UPLOAD_MEMORY_CEILING_MB, outcome


def test_a_wide_csv_is_refused_and_trailing_empty_fields_are_not(tmp_path):
    wide = ",".join(HEADER) + "\r\n" + ("," * 16383 + "1\r\n") * 600
    outcome = parse_in_child(tmp_path, wide.encode(), "wide.csv")
    assert outcome["refused"] and "field 16384" in outcome["refused"]
    assert outcome["peak_mib"] < readers.UPLOAD_MEMORY_CEILING_MB, outcome
    padded = ",".join(HEADER) + "," * 40 + "\r\noutput" + "," * 50 + "\r\n"
    table = readers.read_table(padded.encode(), "padded.csv")
    assert [len(cells) for _n, cells in table.rows] == [readers.MAX_COLUMNS]


def test_a_cell_longer_than_excel_allows_is_refused():
    long_cell = (
        f'<row r="2"><c r="A2" t="inlineStr"><is><t>{"x" * 40_000}</t></is></c></row>'
    )
    content = xlsx(header_row() + long_cell, dimension=None)
    with pytest.raises(spec.FileRefused, match=r"\(A2\) with more than 32,767"):
        list(readers.read_table(content, "l.xlsx").rows)


def test_too_many_rows_are_refused_while_streaming(monkeypatch):
    monkeypatch.setattr(readers, "MAX_ROWS", 50)
    body = "".join(f'<row r="{n}"><c r="A{n}"><v>1</v></c></row>' for n in range(2, 60))
    content = xlsx(header_row() + body, dimension=None)
    with pytest.raises(spec.FileRefused, match="more than 50 rows"):
        list(readers.read_table(content, "r.xlsx").rows)
    text = ",".join(HEADER) + "\r\n" + "output\r\n" * 60
    with pytest.raises(spec.FileRefused, match="more than 50 rows"):
        list(readers.read_table(text.encode(), "r.csv").rows)
