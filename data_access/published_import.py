"""One entry for importing a published file (the CLI's `import-ons` and the
returns page's admin upload): an NHS Digital X99 admissions tabulation goes to
`data_access.hes_import`, anything else to the ONS Police Force Area tables
import (`data_access.ons_import`), which refuses a file with no supported table.

`describe` turns either result into the sentences both places show: the tables
found, the sheets skipped and why, the rows that could not be placed and the
figures that are missing, so nothing is dropped silently.
"""

from __future__ import annotations

from data_access import hes_import, ons_import
from data_access.ons_tables import read_sheets
from data_access.scope import Scope


def import_published(
    *, scope: Scope, content: bytes, filename: str
) -> ons_import.OnsImportResult | hes_import.HesImportResult:
    """Import a published file; raises OnsWorkbookError (a 400) when it holds no
    supported table, with nothing changed."""
    scope.require_role("admin")
    sheets = read_sheets(content, filename)
    if hes_import.find_hes_table(sheets) is not None:
        return hes_import.import_hes_csv(
            scope=scope, content=content, filename=filename
        )
    return ons_import.import_ons_workbook(
        scope=scope, content=content, filename=filename
    )


def describe(result, filename: str) -> list[str]:  # noqa: ANN001
    """Sentences reporting an import, for the command line and the page."""
    if isinstance(result, hes_import.HesImportResult):
        lines = [
            f"Imported {filename}: hospital admissions (X99) from {result.sheet}, "
            f"{', '.join(result.years)}; {result.written} figures as source "
            f"{result.source_id}, {result.superseded} earlier figures superseded."
        ]
        if result.suppressed:
            lines.append(
                f"{result.suppressed} figures suppressed by the source ('*') are "
                "kept as unknown, not zero."
            )
        if result.unplaced:
            lines.append("Columns not placed: " + "; ".join(result.unplaced) + ".")
        return lines
    lines = [
        f"Imported {filename}: {result.edition} "
        f"({result.period_start:%d %b %Y} to {result.period_end:%d %b %Y}), "
        f"{result.written} figures as source {result.source_id}, "
        f"{result.superseded} earlier figures superseded."
    ]
    if result.tables:
        lines.append("Tables found: " + "; ".join(result.tables) + ".")
    if result.skipped_tables:
        lines.append("Sheets skipped: " + "; ".join(result.skipped_tables) + ".")
    if result.missing:
        lines.append("Not available in this edition: " + ", ".join(result.missing))
    if result.skipped:
        lines.append("Not areas in the store (skipped): " + ", ".join(result.skipped))
    if result.unplaced:
        lines.append("Rows not placed on an area: " + "; ".join(result.unplaced) + ".")
    return lines
