"""Import of the ONS "Police Force Area data tables" (a workbook or a CSV sheet).

ONS publishes, with each "Crime in England and Wales" bulletin, a workbook of police
force area tables. Its layout changes between editions (sheet names, table numbers,
header rows, footnote numbers), so every supported table is found by what it says,
never by a fixed sheet or cell (`data_access.ons_tables` reads the file):

- the knife or sharp instrument offences table (below);
- the offence-group tables, Table P1 by police force area and Table C2 by
  Community Safety Partnership: possession of weapons offences, violence with
  injury and homicide (`data_access.ons_offences` places their rows);
- the import reports the tables it found and every other sheet with the reason it
  was skipped, and the rows it could not place on an area; a file with no
  supported table is refused and the store is not touched.

The knife table is found by:

- a title mentioning knife (or sharp instrument) offences, and not a percentage
  change or a rate table;
- a header row with an area name column (and usually an area code column) and a
  "Number of offences involving a knife" column; the first such column is the total
  of selected serious offences, the "% involving a knife" beside it the share;
- the period from the title ("year ending December 2019": the 12 months to then).

Force names and codes are mapped to the store's areas (codes first, then names with
footnote marks removed); rows for areas the store does not hold (regions, British
Transport Police) are skipped and reported. Footnotes are kept as caveats: those
marked on a force's name go on its figures, the rest on the source. "NA" and ".."
are missing: no figure is written for them (as in the shipped data), so a missing
figure never replaces a published one.

The figures are written as a new source edition whose reference date is the end
of its year. For each measure, area and period the current figure is the one of
the edition with the latest reference date (`make_latest_editions_current`), so an
older edition imported after a newer one is kept as history and never becomes
current: importing editions in any order gives the same current figures. All of it
happens in one transaction with the raw workbook kept as a submission and an audit
row, and then the query cache is cleared.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from sqlalchemy import select, tuple_, update

from data_access import exceptions
from data_access.areas import NATIONAL_CODE
from data_access.db import session_scope
from data_access.errors import NotFound
from data_access.import_records import audit_import, file_digest, record_import
from data_access.models import (
    Area,
    MeasureValue,
    Population,
    Source,
    Submission,
)
from data_access.ons_offences import OFFENCE_MEASURES, norm_name, offence_values
from data_access.ons_tables import (
    KNIFE_TITLE,
    MISSING,
    MONTHS,
    NOT_COUNTS,
    ONS_MAX_COLUMNS,
    ONS_MAX_ROWS,
    OnsWorkbookError,
    Sheet,
    TableReport,
    find_offence_tables,
    read_sheets,
    title_of,
)
from data_access.ons_tables import count as _count
from data_access.ons_tables import period_from_title as _period_of
from data_access.ons_tables import split_marks as _split_marks
from data_access.ons_tables import text as _text
from data_access.scope import Scope
from data_access.shipped.common import measure_ids as shipped_measure_ids

__all__ = [
    "MISSING",
    "MONTHS",
    "ONS_MAX_COLUMNS",
    "ONS_MAX_ROWS",
    "OnsImportResult",
    "OnsWorkbookError",
    "add_editions",
    "find_knife_table",
    "import_ons_workbook",
    "make_latest_editions_current",
]

MEASURE = "knife_offences"
SHARE_MEASURE = "knife_offences_share"
_FOOTNOTE = re.compile(r"^\s*(\d{1,2})[.)]\s+(.+)$", re.DOTALL)


@dataclass
class KnifeRow:
    code: str | None
    name: str
    marks: tuple[int, ...]
    count: int | None
    share: float | None
    raw_count: str
    row: int


@dataclass
class KnifeTable:
    """The knife offences table found in a workbook."""

    sheet: str
    title: str
    period_start: dt.date
    period_end: dt.date
    edition: str
    rows: list[KnifeRow]
    footnotes: dict[int, str]
    title_marks: tuple[int, ...] = ()
    column_marks: tuple[int, ...] = ()


@dataclass
class OnsImportResult:
    submission_id: int
    source_id: int
    edition: str
    period_start: dt.date
    period_end: dt.date
    written: int
    superseded: int
    missing: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)
    skipped_tables: list[str] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)


def _period_from_title(title: str) -> tuple[dt.date, dt.date, str]:
    period = _period_of(title)
    if period is None:
        raise OnsWorkbookError(
            "The knife offences table's title does not say which year it covers "
            "(expected 'year ending <month> <year>')."
        )
    return period


def _header_columns(cells: list[str]) -> tuple[int | None, int, int, int | None] | None:
    """(code column, name column, count column, share column) of a header row."""
    lowered = [c.lower() for c in cells]
    name_col = next(
        (i for i, c in enumerate(lowered) if re.match(r"^(area|force)\s*name", c)),
        None,
    )
    if name_col is None:
        name_col = next(
            (i for i, c in enumerate(lowered) if c.startswith("police force area")),
            None,
        )
    count_col = next(
        (
            i
            for i, c in enumerate(lowered)
            if re.match(r"^number of (\w+ )?offences involving (a )?knife", c)
        ),
        None,
    )
    if name_col is None or count_col is None:
        return None
    code_col = next(
        (i for i, c in enumerate(lowered) if re.match(r"^(area|force|ons)\s*code", c)),
        None,
    )
    share_col = None
    if count_col + 1 < len(lowered) and lowered[count_col + 1].startswith("%"):
        share_col = count_col + 1
    return code_col, name_col, count_col, share_col


def find_knife_table(content: bytes, filename: str = "") -> KnifeTable:
    """Find and read the knife offences table. Raises OnsWorkbookError."""
    sheets = read_sheets(content, filename)
    table = knife_table_in(sheets)
    if table is None:
        names = ", ".join(s.name for s in sheets)
        raise OnsWorkbookError(
            "No knife or sharp instrument offences table was found in this file: "
            "looked for a table titled '... knife and sharp instrument offences ...' "
            "with 'Area name' and 'Number of offences involving a knife' columns. "
            f"Sheets: {names}."
        )
    return table


def knife_table_in(sheets: list[Sheet]) -> KnifeTable | None:
    """The first knife offences table in the sheets, or None."""
    for sheet in sheets:
        table = _table_in_sheet(sheet.name, sheet.rows)
        if table is not None:
            return table
    return None


def _table_in_sheet(sheet: str, rows: list[list]) -> KnifeTable | None:
    found = title_of(rows)
    if found is None:
        return None
    title_index, title = found
    texts = [[_text(c) for c in row] for row in rows[:400]]
    if not KNIFE_TITLE.search(title) or not re.search(r"offen", title, re.IGNORECASE):
        return None
    if NOT_COUNTS.search(title):
        return None
    header_index = columns = None
    for i in range(title_index + 1, min(len(texts), title_index + 20)):
        columns = _header_columns(texts[i])
        if columns:
            header_index = i
            break
    if header_index is None:
        return None
    code_col, name_col, count_col, share_col = columns
    start, end, edition = _period_from_title(title)
    year_marks = re.search(r"((?:19|20)\d{2})(\d{1,2}(?:\s*,\s*\d{1,2})*)\s*$", title)
    if year_marks:
        title_clean = title[: year_marks.start(2)].strip()
        title_marks = tuple(int(m) for m in re.findall(r"\d+", year_marks[2]))
    else:
        title_clean, title_marks = _split_marks(title)
    _, column_marks = _split_marks(texts[header_index][count_col])
    footnotes: dict[int, str] = {}
    data: list[KnifeRow] = []
    ended = False
    for i in range(header_index + 1, len(texts)):
        row = texts[i]
        first = next((c for c in row if c), "")
        if not first:
            continue
        note = _FOOTNOTE.match(first)
        if note and all(not c for c in row[1:]):
            footnotes[int(note[1])] = note[2].strip()
            ended = True
            continue
        if first.lower().startswith("source"):
            ended = True
            continue
        if ended:
            continue
        name_raw = row[name_col] if name_col < len(row) else ""
        if not name_raw:
            continue
        name, marks = _split_marks(name_raw)
        code = row[code_col].strip().upper() if code_col is not None else ""
        raw = rows[i][count_col] if count_col < len(rows[i]) else None
        count = _count(raw)
        share = _share(rows[i][share_col]) if share_col is not None else None
        data.append(
            KnifeRow(
                code=code or None,
                name=name,
                marks=marks,
                count=count,
                share=share,
                raw_count=_text(raw),
                row=i + 1,
            )
        )
    if not data:
        return None
    return KnifeTable(
        sheet=sheet,
        title=title_clean,
        period_start=start,
        period_end=end,
        edition=edition,
        rows=data,
        footnotes=footnotes,
        title_marks=title_marks,
        column_marks=column_marks,
    )


def _table_title(table: KnifeTable) -> str:
    """The table's title, led by its sheet name unless it already names itself
    ("Table P4: Knife ...", not "Table P4: Table P4: Knife ...")."""
    if table.title.lower().startswith(table.sheet.lower()):
        return table.title
    return f"{table.sheet}: {table.title}"


def _share(cell) -> float | None:  # noqa: ANN001
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        return float(cell) if 0 <= cell <= 100 else None
    try:
        value = float(_text(cell).rstrip("%"))
    except ValueError:
        return None
    return value if 0 <= value <= 100 else None


def import_ons_workbook(
    *, scope: Scope, content: bytes, filename: str
) -> OnsImportResult:
    """Import every supported table of an ONS PFA tables workbook or CSV sheet as
    a new source edition.

    Admins only. Raises OnsWorkbookError when the file has no supported table or
    was imported before (the store is then unchanged), NotFound when the store
    lacks a table's measure."""
    scope.require_role("admin")
    sheets = read_sheets(content, filename)
    report = TableReport()
    table = knife_table_in(sheets)
    if table is not None:
        report.found.append(
            f"{_table_title(table)[:160]} ({table.edition}, {len(table.rows)} rows; "
            "knife or sharp instrument offences)"
        )
    offences = find_offence_tables(sheets, report)
    if table is None and not offences:
        raise OnsWorkbookError(
            "No supported table was found in this file, so nothing was imported. "
            "Supported: the knife or sharp instrument offences table, Table P1 "
            "(offence groups by police force area) and Table C2 (headline offences "
            "by Community Safety Partnership), found by their titles and header "
            "rows. Sheets looked at: " + "; ".join(report.skipped) + "."
        )
    lead = table or offences[0]
    digest = file_digest(content)
    with session_scope() as session:
        measure_ids = shipped_measure_ids(session)
        if table is not None and MEASURE not in measure_ids:
            raise NotFound(
                "the store has no knife offences measure; load the shipped data first"
            )
        if offences and not all(m["code"] in measure_ids for m in OFFENCE_MEASURES):
            # A store without the VRU-era measures still takes the knife table.
            report.skipped += [
                f"{t.sheet}: the store has no offence-group measures (load the "
                "shipped data first)"
                for t in offences
            ]
            report.found = report.found[: 1 if table is not None else 0]
            offences = []
            if table is None:
                raise NotFound(
                    "the store has no offence-group measures; load the shipped data "
                    "first"
                )
        general = (
            [
                f"{n}. {text}"
                for n, text in sorted(table.footnotes.items())
                if n in set(table.title_marks) | set(table.column_marks)
            ]
            if table is not None
            else []
        )
        slug = lead.edition.lower().replace(" ", "-")
        titles = "; ".join(
            ([_table_title(table)[:200]] if table is not None else [])
            + [t.title[:160] for t in offences]
        )
        source, submission = record_import(
            session,
            scope=scope,
            kind="ons_workbook",
            content=content,
            digest=digest,
            filename=filename,
            default_filename="workbook.xlsx",
            period_start=lead.period_start,
            source={
                "key": f"ons-pfa-import-{slug}-{digest[:10]}",
                "publisher": "Office for National Statistics",
                "title": (
                    "Crime in England and Wales: Police Force Area data tables, "
                    f"{lead.edition.replace('YE', 'year ending')} ({titles})"
                )[:400],
                "url": "https://www.ons.gov.uk/peoplepopulationandcommunity/"
                "crimeandjustice/datasets/policeforceareadatatables",
                "edition": lead.edition,
                "reference_date": lead.period_end,
            },
            notes=" Caveats: " + " ".join(general) if general else "",
        )

        result = OnsImportResult(
            submission_id=submission.id,
            source_id=source.id,
            edition=lead.edition,
            period_start=lead.period_start,
            period_end=lead.period_end,
            written=0,
            superseded=0,
            caveats=general,
            tables=report.found,
            skipped_tables=report.skipped,
        )
        by_code = {
            c: (i, n)
            for c, i, n in session.execute(select(Area.code, Area.id, Area.name))
        }
        changed = []
        if table is not None:
            changed += _import_knife(
                session, table, source, submission, result, measure_ids, by_code
            )
        for offence in offences:
            if offence.edition != lead.edition:
                result.skipped_tables.append(
                    f"{offence.sheet}: {offence.edition}, not this file's edition "
                    f"({lead.edition})"
                )
                continue
            placed = offence_values(
                session,
                offence,
                source_id=source.id,
                measure_ids={
                    m["code"]: measure_ids[m["code"]] for m in OFFENCE_MEASURES
                },
                submission_id=submission.id,
            )
            rows = [MeasureValue(**row) for row in placed.rows]
            changed += add_editions(session, rows)
            result.written += len(rows)
            result.unplaced += [f"{offence.sheet}: {u}" for u in placed.unplaced]
            result.missing += placed.missing
        measure_codes = {i: c for c, i in measure_ids.items()}
        area_codes = {i: c for c, (i, _n) in by_code.items()}
        changes = [
            {
                "measure": measure_codes[c["measure_id"]],
                "area": area_codes[c["area_id"]],
                "before": c["before"],
                "after": c["after"],
            }
            for c in changed
        ]
        result.superseded = sum(1 for c in changes if c["before"] is not None)
        audit_import(
            session,
            scope=scope,
            action="import_ons_workbook",
            source=source,
            submission=submission,
            after={
                "edition": lead.edition,
                "tables": result.tables,
                "skipped_tables": result.skipped_tables,
                "written": result.written,
                "superseded": result.superseded,
                "missing": result.missing,
                "skipped": result.skipped,
                "unplaced": result.unplaced,
                "changes": changes,
            },
        )
    exceptions.after_commit(f"ONS import {result.submission_id}")
    return result


def _import_knife(  # noqa: PLR0913
    session,  # noqa: ANN001
    table: KnifeTable,
    source: Source,
    submission: Submission,
    result: OnsImportResult,
    measure_ids: dict[str, int],
    by_code: dict[str, tuple[int, str]],
) -> list[dict]:
    """Write the knife table's counts and shares; returns the changes of
    current figures (make_latest_editions_current)."""
    by_name = {
        norm_name(n): (c, i)
        for c, i, n in session.execute(
            select(Area.code, Area.id, Area.name).where(
                Area.level.in_(("pfa", "country"))
            )
        )
    }
    matched: list[tuple[KnifeRow, int]] = []
    seen_areas: set[int] = set()
    for row in table.rows:
        area = None
        if row.code and row.code in by_code:
            area = (row.code, by_code[row.code][0])
        elif not row.code and norm_name(row.name) in by_name:
            # Names only when the table has no code for the row: a region can
            # share a force's name (West Midlands).
            area = by_name[norm_name(row.name)]
        if area is None or area[1] in seen_areas:
            result.skipped.append(row.name)
            continue
        seen_areas.add(area[1])
        matched.append((row, area[1]))
    year = table.period_start.year
    areas = {
        i: (c, n, level)
        for i, c, n, level in session.execute(
            select(Area.id, Area.code, Area.name, Area.level)
        )
    }
    unavailable = [
        area_id
        for row, area_id in matched
        if row.count is None and areas[area_id][2] == "pfa"
    ]

    def _common(area_id: int, notes: list[str], coverage: str | None) -> dict:
        return {
            "area_id": area_id,
            "period_start": table.period_start,
            "period_end": table.period_end,
            "age_band": "all",
            "status": "final",
            "source_id": source.id,
            "submission_id": submission.id,
            "is_current": False,
            "note": " ".join(notes) or None,
            "coverage": coverage,
        }

    counts: list[MeasureValue] = []
    selected: list[tuple[int, int, list[str]]] = []
    for row, area_id in matched:
        if row.count is None:
            # "NA" is no figure: no row, as the shipped loader does, so an
            # edition that lacks a force never leaves an empty figure behind.
            result.missing.append(row.name)
            continue
        notes = [
            f"{n}. {table.footnotes[n]}" for n in row.marks if n in table.footnotes
        ]
        coverage, population = _coverage(session, areas, area_id, unavailable, year)
        if coverage is not None:
            notes.insert(
                0,
                f"{coverage}: ONS totals add up the force areas' figures, and "
                "this edition has none for the areas left out, so the "
                "denominator is the population of the rest.",
            )
        counts.append(
            MeasureValue(
                measure_id=measure_ids[MEASURE],
                value=row.count,
                numerator=row.count,
                denominator=population,
                **_common(area_id, notes, coverage),
            )
        )
        if SHARE_MEASURE in measure_ids and row.share:
            # Selected offences of the edition's own year: the count and the
            # percentage in one row cover the same 12 months.
            selected.append((area_id, round(row.count / row.share * 100), notes))
    changed = add_editions(session, counts)
    # A share is the period's current count (which a later edition may have
    # revised) over its selected offences, as the shipped loader works it out.
    current = dict(
        session.execute(
            select(MeasureValue.area_id, MeasureValue.value).where(
                MeasureValue.measure_id == measure_ids[MEASURE],
                MeasureValue.period_start == table.period_start,
                MeasureValue.period_end == table.period_end,
                MeasureValue.age_band == "all",
                MeasureValue.is_current.is_(True),
            )
        ).all()
    )
    coverages = {v.area_id: v.coverage for v in counts}
    shares = [
        MeasureValue(
            measure_id=measure_ids[SHARE_MEASURE],
            value=current[area_id] / base * 100,
            numerator=current[area_id],
            denominator=base,
            **_common(area_id, notes, coverages[area_id]),
        )
        for area_id, base, notes in selected
        if base > 0
    ]
    changed += add_editions(session, shares)
    result.written += len(counts) + len(shares)
    return changed


def edition_rank(row) -> tuple:  # noqa: ANN001
    """How figures for one measure, area, period and age band rank: a published
    figure before a missing one, then the edition with the latest reference date
    (sources without one, such as press quotes, rank below every dated edition),
    then the source's precedence (lower wins), then the later row."""
    return (
        row.value is not None,
        row.reference_date is not None,
        row.reference_date or dt.date.min,
        -row.precedence,
        row.id,
    )


def add_editions(session, values: list[MeasureValue]) -> list[dict]:  # noqa: ANN001
    """Add an imported edition's figures, then let each key's first-ranking
    edition be current (make_latest_editions_current, whose changes it returns)."""
    session.add_all(values)
    session.flush()
    return make_latest_editions_current(session, [v.id for v in values])


def make_latest_editions_current(session, value_ids: list[int]) -> list[dict]:  # noqa: ANN001
    """Make current, for each key (measure, area, period, age band) of the given
    measure values, the figure of the edition that ranks first (edition_rank), and
    every other figure of that key history. The result does not depend on the
    order in which editions were loaded. Returns, per key whose current figure
    changed, {"measure_id", "area_id", "before", "after"}."""
    if not value_ids:
        return []
    keys = (
        MeasureValue.measure_id,
        MeasureValue.area_id,
        MeasureValue.period_start,
        MeasureValue.period_end,
        MeasureValue.age_band,
    )
    touched = select(*keys).where(MeasureValue.id.in_(value_ids)).distinct()
    rows = session.execute(
        select(
            MeasureValue.id,
            *keys,
            MeasureValue.value,
            MeasureValue.is_current,
            Source.reference_date,
            Source.precedence,
        )
        .join(Source, Source.id == MeasureValue.source_id)
        .where(tuple_(*keys).in_(touched))
    ).all()
    by_key: dict[tuple, list] = {}
    for row in rows:
        by_key.setdefault(tuple(row[1:6]), []).append(row)
    retire, promote, changes = [], [], []
    for figures in by_key.values():
        best = max(figures, key=edition_rank)
        current = [f for f in figures if f.is_current]
        retire += [f.id for f in current if f.id != best.id]
        if not best.is_current:
            promote.append(best.id)
            changes.append(
                {
                    "measure_id": best.measure_id,
                    "area_id": best.area_id,
                    "before": current[0].value if current else None,
                    "after": best.value,
                }
            )
    # Retire first: one current figure per key is a unique index.
    for ids, flag in ((retire, False), (promote, True)):
        if ids:
            session.execute(
                update(MeasureValue)
                .where(MeasureValue.id.in_(ids))
                .values(is_current=flag)
                .execution_options(synchronize_session=False)
            )
            session.flush()
    return changes


def _coverage(
    session,  # noqa: ANN001
    areas: dict[int, tuple[str, str, str]],
    area_id: int,
    unavailable: list[int],
    year: int,
) -> tuple[str | None, float | None]:
    """(coverage, population) of a figure: for a country total in a table where
    some of its force areas are not available, "England and Wales excluding
    Greater Manchester" and the country's population less theirs; else (None,
    the area's population)."""
    population = _population(session, area_id, year)
    code, name, level = areas[area_id]
    left_out = [
        i
        for i in unavailable
        if level == "country" and (code == NATIONAL_CODE or areas[i][0][0] == code[0])
    ]
    if not left_out:
        return None, population
    names = [areas[i][1] for i in left_out]
    listed = " and ".join(filter(None, [", ".join(names[:-1]), names[-1]]))
    parts = [_population(session, i, year) for i in left_out]
    if population is not None and None not in parts:
        population -= sum(parts)
    else:
        population = None
    return f"{name} excluding {listed}", population


def _population(session, area_id: int, year: int) -> float | None:  # noqa: ANN001
    rows = session.execute(
        select(Population.mid_year, Population.value).where(
            Population.area_id == area_id, Population.age_band == "all"
        )
    ).all()
    if not rows:
        return None
    nearest = min(rows, key=lambda r: (abs(r.mid_year - year), r.mid_year))
    return float(nearest.value)
