"""The ONS workbook importer reads each sheet only as far as a published table
reaches (ons_import.ONS_MAX_COLUMNS, ONS_MAX_ROWS), so a 30 KB file whose sheet
claims to reach column XFD cannot take a worker to a gigabyte (issue 21, finding 1,
"the same for the ONS importer"). The peak is measured in a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys

from data_access import ons_import
from tests.data_access.test_returns_readers import ROOT, xlsx
from tests.peak_memory import PEAK_MIB_SOURCE

CEILING_MIB = 300  # the importer's code alone is about 110 MiB


def _wide(rows: int = 6000) -> bytes:
    body = "".join(
        f'<row r="{n}"><c r="XFD{n}"><v>1</v></c></row>' for n in range(1, rows + 1)
    )
    return xlsx(body, dimension=f"A1:XFD{rows}")


def test_a_sheet_padded_to_xfd_is_read_within_the_ceiling(tmp_path):
    path = tmp_path / "wide.xlsx"
    path.write_bytes(_wide())
    script = (
        "import json\n"
        "from data_access import ons_import\n"
        "refused = None\n"
        "try:\n"
        f"    ons_import.find_knife_table(open({str(path)!r}, 'rb').read())\n"
        "except ons_import.OnsWorkbookError as error:\n"
        "    refused = str(error)\n"
        + PEAK_MIB_SOURCE
        + "print(json.dumps({'refused': refused, 'peak_mib': peak}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    answer = json.loads(done.stdout.strip().splitlines()[-1])
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
