"""Reading an uploaded return (CSV or XLSX) into one table with bounded memory: a
streaming reader of the workbook's XML (openpyxl as the fallback), the header
found among the first rows, every limit named (columns, rows, cell text, shared
strings, unzipped size) and every refusal a clear FileRefused.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from xml.parsers import expat

from data_access.returns.spec import (
    DATA_SHEET,
    OLE_MAGIC,
    REQUIRED_COLUMNS,
    TEMPLATE_COLUMNS,
    XLSX_MAGIC,
    FileRefused,
    upload_limit,
)

# ------------------------------------------------------------------ reading files

# Bounds on what one upload may make a worker hold, whatever the file claims.
# Together they keep one upload's peak below UPLOAD_MEMORY_CEILING_MB (README).
MAX_COLUMNS = 2 * len(TEMPLATE_COLUMNS)  # A to Z: the template's 13 and spare ones
MAX_ROWS = 200_000  # twice the 100,000-row return of benchmarks/returns_benchmark.py
MAX_CELL_CHARS = 32_767  # Excel's own limit on the text of one cell
MAX_SHARED_STRINGS = 1_000_000
MAX_SHARED_TEXT_CHARS = 64 * 1024 * 1024
MAX_UNZIPPED_BYTES = 256 * 1024 * 1024
MAX_XML_PART_BYTES = 16 * 1024 * 1024  # workbook.xml, its relationships, styles.xml
UPLOAD_MEMORY_CEILING_MB = 512
_XML_CHUNK_BYTES = 64 * 1024


@dataclass
class _Table:
    sheet: str
    header: list[str]
    header_row: int
    # (row number in the file, cells) of the non-blank rows after the header,
    # streamed: read once, by validation.
    rows: Iterator[tuple[int, list[Any]]]


def _decode_text(content: bytes) -> str:
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("cp1252")


def read_table(content: bytes, filename: str) -> _Table:
    """The data table of an uploaded file. Raises FileRefused when the file as a
    whole cannot be read; cell-level problems are left to validation. The rows are
    streamed, so a FileRefused can also come while validation reads them."""
    limit = upload_limit()
    if content is None or len(content) == 0:
        raise FileRefused("The file is empty.")
    if len(content) > limit:
        raise FileRefused(
            f"The file is {len(content) / 1_048_576:.1f} MB; the largest accepted is "
            f"{limit / 1_048_576:.1f} MB."
        )
    name = (filename or "").lower()
    if content.startswith(OLE_MAGIC) or name.endswith(".xls"):
        raise FileRefused(
            "This is an old Excel (.xls) file or not a spreadsheet. Save it as "
            ".xlsx or .csv and upload it again."
        )
    if content.startswith(XLSX_MAGIC):
        return _read_xlsx(content)
    if name.endswith((".xlsx", ".xlsm")):
        raise FileRefused("The file is named .xlsx but is not an Excel workbook.")
    if b"\x00" in content[:65536]:
        raise FileRefused(
            "The file is not a spreadsheet (CSV or XLSX). Download the template and "
            "fill that in."
        )
    try:
        text = _decode_text(content)
    except UnicodeDecodeError as error:
        raise FileRefused(
            "The file is not text in UTF-8 or Windows-1252, so it is not a CSV file "
            "we can read."
        ) from error
    return _read_csv(text)


def _too_wide(sheet: str, where: str) -> FileRefused:
    last = _column_letter(MAX_COLUMNS)
    return FileRefused(
        f"The sheet '{sheet}' {where}; a return has at most {MAX_COLUMNS} columns "
        f"(A to {last}). Delete the columns after {last}, or copy the rows into the "
        "template, and upload it again."
    )


def _too_long(sheet: str) -> FileRefused:
    return FileRefused(
        f"The sheet '{sheet}' has more than {MAX_ROWS:,} rows; a return has fewer. "
        "Split it, or check that it is the right file."
    )


def _read_csv(text: str) -> _Table:
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    if first_line.count(delimiter) == 0:
        delimiter = ","

    def rows() -> Iterator[tuple[int, list[Any]]]:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            for n, row in enumerate(reader, start=1):
                if n > MAX_ROWS:
                    raise _too_long("CSV")
                if len(row) > MAX_COLUMNS:
                    # Trailing empty fields (a spreadsheet's export of a wider
                    # range) are harmless; figures beyond the last column are not.
                    if not _row_blank(row[MAX_COLUMNS:]):
                        raise _too_wide("CSV", f"has a value in field {len(row)}")
                    del row[MAX_COLUMNS:]
                yield n, row
        except csv.Error as error:
            raise FileRefused(
                f"The file is not a readable CSV file ({error})."
            ) from error

    return _table_from_rows("CSV", rows())


_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
# Excel's built-in number formats that show a date or time.
_DATE_FORMATS = {*range(14, 23), *range(27, 37), 45, 46, 47, *range(50, 59)}


def _column_letter(number: int) -> str:
    """Excel's letters for a 1-based column number (26 -> 'Z', 27 -> 'AA')."""
    letters = ""
    while number > 0:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _column_index(ref: str) -> int:
    """0-based column of a cell reference ('C7' -> 2); -1 when there is none."""
    index = 0
    for char in ref.upper():
        if "A" <= char <= "Z":
            index = index * 26 + ord(char) - 64
        else:
            break
    return index - 1


def _local(name: str) -> str:
    """An XML element's name without its namespace (expat gives 'uri}name'), so
    both transitional and strict OOXML workbooks read the same."""
    return name[name.rfind("}") + 1 :]


def _parse_xml(stream, handlers: Any) -> Iterator[None]:
    """Feed an XML stream to expat in chunks, yielding after each chunk, so the
    caller can hand on what the handlers collected. Expat keeps no tree: memory
    is what the handlers keep, plus one chunk."""
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.StartElementHandler = handlers.start
    parser.EndElementHandler = handlers.end
    parser.CharacterDataHandler = handlers.text
    while chunk := stream.read(_XML_CHUNK_BYTES):
        parser.Parse(chunk, False)
        yield
    parser.Parse(b"", True)
    yield


class _SharedStrings:
    """Expat handlers collecting a workbook's shared strings, within bounds."""

    def __init__(self) -> None:
        self.strings: list[str] = []
        self.parts: list[str] = []
        self.phonetic = 0  # inside <rPh>: phonetic runs are not part of the text
        self.collecting = False
        self.total = 0

    def start(self, name: str, _attrs: dict) -> None:
        local = _local(name)
        if local == "si":
            self.parts = []
        elif local == "rPh":
            self.phonetic += 1
        elif local == "t" and not self.phonetic:
            self.collecting = True

    def end(self, name: str) -> None:
        local = _local(name)
        if local == "t":
            self.collecting = False
        elif local == "rPh":
            self.phonetic -= 1
        elif local == "si":
            if len(self.strings) >= MAX_SHARED_STRINGS:
                raise FileRefused(
                    f"The workbook has more than {MAX_SHARED_STRINGS:,} different "
                    "texts; a return has far fewer."
                )
            self.strings.append("".join(self.parts))

    def text(self, data: str) -> None:
        if not self.collecting:
            return
        self.total += len(data)
        if self.total > MAX_SHARED_TEXT_CHARS:
            raise FileRefused(
                "The workbook holds more text than a return can "
                f"({MAX_SHARED_TEXT_CHARS // 1_048_576} million characters)."
            )
        self.parts.append(data)


class _SheetCells:
    """Expat handlers turning a worksheet's XML into rows of cell values.

    Only the first MAX_COLUMNS columns are kept: a sheet whose dimension says it
    is wider, or with a value in a later column, is refused before any row is
    padded. A cell's text is capped at MAX_CELL_CHARS. Formulas give their cached
    values (as openpyxl's data_only does)."""

    def __init__(self, sheet: str, shared: list[str], date_styles: set[int]):
        self.sheet = sheet
        self.shared = shared
        self.date_styles = date_styles
        self.done: list[tuple[int, list[Any]]] = []
        self.count = 0
        self.number = 0
        self.cells: list[Any] | None = None
        self.column = -1
        self.ref = ""
        self.kind: str | None = None
        self.style = 0
        self.parts: list[str] | None = None
        self.length = 0
        self.collecting = False
        self.phonetic = 0

    def start(self, name: str, attrs: dict) -> None:
        local = _local(name)
        if local == "c":
            self.ref = attrs.get("r") or ""
            self.column = _column_index(self.ref) if self.ref else self.column + 1
            self.kind = attrs.get("t")
            style = attrs.get("s") or "0"
            self.style = int(style) if style.isdigit() and len(style) < 9 else 0
            self.parts = None
        elif local == "v" or (
            local == "t" and self.kind == "inlineStr" and not self.phonetic
        ):
            if self.parts is None:
                self.parts, self.length = [], 0
            self.collecting = True
        elif local == "rPh":
            self.phonetic += 1
        elif local == "row":
            self.count += 1
            if self.count > MAX_ROWS:
                raise _too_long(self.sheet)
            r = attrs.get("r") or ""
            self.number = int(r) if r.isdigit() and len(r) < 9 else self.number + 1
            self.cells = []
            self.column = -1
        elif local == "dimension":
            last = (attrs.get("ref") or "").split(":")[-1]
            if _column_index(last) >= MAX_COLUMNS:
                raise _too_wide(self.sheet, f"is used up to cell {last[:20]}")

    def text(self, data: str) -> None:
        if not self.collecting:
            return
        self.length += len(data)
        if self.length > MAX_CELL_CHARS:
            raise FileRefused(
                f"The sheet '{self.sheet}' has a cell "
                f"({self.ref[:20] or f'row {self.number}'}) with more than "
                f"{MAX_CELL_CHARS:,} characters."
            )
        self.parts.append(data)  # type: ignore[union-attr]

    def end(self, name: str) -> None:
        local = _local(name)
        if local in ("v", "t"):
            self.collecting = False
        elif local == "rPh":
            self.phonetic -= 1
        elif local == "c":
            self._keep_cell()
        elif local == "row" and self.cells is not None:
            self.done.append((self.number, self.cells))
            self.cells = None

    def _keep_cell(self) -> None:
        if self.parts is None or self.cells is None or self.column < 0:
            return  # an empty (styled) cell, or one outside a row
        if self.column >= MAX_COLUMNS:
            raise _too_wide(
                self.sheet, f"has a value in cell {self.ref[:20] or self.column + 1}"
            )
        value = self._value("".join(self.parts))
        cells = self.cells
        if len(cells) <= self.column:
            cells.extend([None] * (self.column + 1 - len(cells)))
        cells[self.column] = value

    def _value(self, text: str) -> Any:
        kind = self.kind
        if kind == "s":
            try:
                return self.shared[int(text)]
            except (ValueError, IndexError) as error:
                raise FileRefused(
                    f"The sheet '{self.sheet}' refers to a text that the workbook "
                    "does not have; it is damaged. Save it again as .xlsx."
                ) from error
        if kind in ("str", "e", "inlineStr"):
            return text
        if kind == "b":
            return text == "1"
        try:
            number = float(text)
        except ValueError:
            return text
        if self.style in self.date_styles:
            try:
                return dt.datetime(1899, 12, 30) + dt.timedelta(days=number)
            except (OverflowError, ValueError):
                return number
        if number.is_integer() and abs(number) < 2**53:
            return int(number)
        return number

    def take(self) -> list[tuple[int, list[Any]]]:
        done, self.done = self.done, []
        return done


def _xml_part(book: zipfile.ZipFile, name: str) -> bytes:
    if book.getinfo(name).file_size > MAX_XML_PART_BYTES:
        raise FileRefused(f"The workbook's {name} is too large for a return.")
    return book.read(name)


def _fast_xlsx_sheets(content: bytes) -> list[tuple[str, Any]]:
    """(sheet title, function streaming its rows) for each sheet, parsing the XML
    with expat directly: several times faster than openpyxl on a 100,000-row file,
    with memory bounded by MAX_COLUMNS, MAX_CELL_CHARS and the shared-string
    limits whatever the file says."""
    from xml.etree import ElementTree

    book = zipfile.ZipFile(io.BytesIO(content))
    names = set(book.namelist())
    if sum(i.file_size for i in book.infolist()) > MAX_UNZIPPED_BYTES:
        raise FileRefused(
            f"The workbook unpacks to more than {MAX_UNZIPPED_BYTES // 1_048_576} "
            "MB; it is refused."
        )
    workbook = ElementTree.fromstring(_xml_part(book, "xl/workbook.xml"))
    rels = ElementTree.fromstring(_xml_part(book, "xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels}
    shared = _SharedStrings()
    if "xl/sharedStrings.xml" in names:
        with book.open("xl/sharedStrings.xml") as stream:
            for _ in _parse_xml(stream, shared):
                pass
    date_styles: set[int] = set()
    if "xl/styles.xml" in names:
        styles = ElementTree.fromstring(_xml_part(book, "xl/styles.xml"))
        custom = {
            int(f.get("numFmtId")): f.get("formatCode", "")
            for f in styles.iter(_NS + "numFmt")
        }
        xfs = styles.find(_NS + "cellXfs")
        for i, xf in enumerate([] if xfs is None else xfs.findall(_NS + "xf")):
            fmt = int(xf.get("numFmtId", 0))
            code = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", custom.get(fmt, "").lower())
            if fmt in _DATE_FORMATS or (
                fmt in custom and re.search(r"[dy]|mm?m", code)
            ):
                date_styles.add(i)

    def reader(title: str, path: str):
        def rows() -> Iterator[tuple[int, list[Any]]]:
            cells = _SheetCells(title, shared.strings, date_styles)
            try:
                with book.open(path) as stream:
                    for _ in _parse_xml(stream, cells):
                        yield from cells.take()
            except FileRefused:
                raise
            except Exception as error:  # noqa: BLE001 - damaged sheet XML
                raise FileRefused(
                    "The file is not an Excel workbook we can read. Save it as "
                    ".xlsx or .csv."
                ) from error

        return rows

    sheets = []
    for sheet in workbook.iter(_NS + "sheet"):
        target = targets[sheet.get(_REL_ID)]
        path = target.lstrip("/") if target.startswith("/") else "xl/" + target
        sheets.append((sheet.get("name"), reader(sheet.get("name"), path)))
    return sheets


def _openpyxl_sheets(content: bytes) -> list[tuple[str, Any]]:
    """The fallback for workbooks the fast reader cannot lay out: openpyxl in
    read-only mode, refusing a sheet wider than MAX_COLUMNS by its dimension and
    reading only the first MAX_COLUMNS columns of each row."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)

    def reader(ws):
        def rows():
            if (ws.max_column or 0) > MAX_COLUMNS:
                raise _too_wide(ws.title, f"is used up to column {ws.max_column}")
            for n, row in enumerate(
                ws.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1
            ):
                if n > MAX_ROWS:
                    raise _too_long(ws.title)
                yield n, list(row)

        return rows

    return [(ws.title, reader(ws)) for ws in book.worksheets]


def _read_xlsx(content: bytes) -> _Table:
    refused = FileRefused(
        "The file is not an Excel workbook we can read. Save it as .xlsx or .csv."
    )
    try:
        sheets = _fast_xlsx_sheets(content)
    except FileRefused:
        raise
    except Exception:  # noqa: BLE001 - an unusual but valid workbook: try openpyxl
        try:
            sheets = _openpyxl_sheets(content)
        except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds
            raise refused from error
    titles = [title for title, _rows in sheets]
    candidates = [s for s in sheets if s[0].strip().lower() == "return"]
    candidates += [
        s for s in sheets if s[0].strip().lower() not in ("return", "notes", "lists")
    ]
    if not candidates:
        raise FileRefused(
            f"The workbook has no '{DATA_SHEET}' sheet (sheets found: "
            f"{', '.join(titles)})."
        )
    for title, rows in candidates:
        try:
            table = _table_from_rows(title, rows(), required=False)
        except FileRefused:
            raise
        except Exception as error:  # noqa: BLE001 - damaged sheet XML
            raise refused from error
        if table is not None:
            return table
    raise FileRefused(
        f"No sheet has the return's header row ({', '.join(REQUIRED_COLUMNS)}). "
        f"Sheets found: {', '.join(titles)}."
    )


def _row_blank(row: list[Any]) -> bool:
    for cell in row:
        if cell is None:
            continue
        if cell.__class__ is not str or cell.strip():
            return False
    return True


def _norm_header(cell: Any) -> str:
    text = "" if cell is None else str(cell)
    return re.sub(r"[\s\-]+", "_", text.strip().lstrip("\ufeff").strip().lower())


HEADER_SEARCH_ROWS = 10  # the header is among the first ten non-blank rows


def _table_from_rows(
    sheet: str, raw: Iterator[tuple[int, list[Any]]], *, required: bool = True
) -> _Table | None:
    """The header and the streamed body of a sheet's rows (blank rows skipped).
    Only the first HEADER_SEARCH_ROWS non-blank rows are read here."""
    content_rows = ((n, row) for n, row in raw if not _row_blank(row))
    first = list(itertools.islice(content_rows, HEADER_SEARCH_ROWS))
    if not first:
        if required:
            raise FileRefused("The file is empty: it has no header row and no rows.")
        return None
    for position, (n, row) in enumerate(first):
        names = [_norm_header(c) for c in row]
        if "record" in names and "value" in names:
            body = itertools.chain(first[position + 1 :], content_rows)
            return _Table(
                sheet=sheet, header=names, header_row=n, rows=_body(body, required)
            )
    if required:
        first_n, first_row = first[0]
        return _Table(
            sheet=sheet,
            header=[_norm_header(c) for c in first_row],
            header_row=first_n,
            rows=_body(itertools.chain(first[1:], content_rows), required),
        )
    return None


def _body(
    rows: Iterator[tuple[int, list[Any]]], required: bool
) -> Iterator[tuple[int, list[Any]]]:
    """The rows after the header; a CSV with none is refused as a whole."""
    rows = iter(rows)
    try:
        head = next(rows)
    except StopIteration:
        if required:
            raise FileRefused(
                "The file has a header row but no rows of figures."
            ) from None
        return iter(())
    return itertools.chain([head], rows)
