"""The ONS workbook importer reads each sheet only as far as a published table
reaches (ons_import.ONS_MAX_COLUMNS, ONS_MAX_ROWS), so a 30 KB file whose sheet
claims to reach column XFD cannot take a worker to a gigabyte (issue 21, finding 1,
"the same for the ONS importer"). The peak is measured in a fresh interpreter."""

from __future__ import annotations

from data_access import ons_import
from tests.data_access.test_returns_readers import ROOT, xlsx
from tests.peak_memory import read_in_child

CEILING_MIB = 300  # the importer's code alone is about 110 MiB


def _wide(rows: int = 6000) -> bytes:
    body = "".join(
        f'<row r="{n}"><c r="XFD{n}"><v>1</v></c></row>' for n in range(1, rows + 1)
    )
    return xlsx(body, dimension=f"A1:XFD{rows}")


def test_a_sheet_padded_to_xfd_is_read_within_the_ceiling(tmp_path):
    path = tmp_path / "wide.xlsx"
    path.write_bytes(_wide())
    answer = read_in_child(
        setup="from data_access import ons_import",
        body=f"ons_import.find_knife_table(open({str(path)!r}, 'rb').read())",
        refusal="ons_import.OnsWorkbookError",
    )
    assert answer["refused"] and "No knife or sharp instrument" in answer["refused"]
    assert answer["peak_mib"] < CEILING_MIB, answer


def test_the_published_tables_fit_inside_the_bounds():
    """Every shipped edition's widest and longest sheet is well inside the bounds,
    so the bounds cut nothing real."""
    from openpyxl import load_workbook

    for path in sorted((ROOT / "data/reference/ons-pfa-tables").glob("*.xlsx")):
        book = load_workbook(path, read_only=True)
        try:
            for sheet in book.worksheets:
                assert (sheet.max_column or 0) <= ons_import.ONS_MAX_COLUMNS, path
                assert (sheet.max_row or 0) <= ons_import.ONS_MAX_ROWS, path
        finally:
            book.close()
