"""Quarterly returns: templates, validation of every kind of bad input, the
draft -> submitted -> approved/returned workflow, supersession and restore, scope,
and that a rejected file leaves the store byte-for-byte unchanged (SQLite and
PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import select, text

from data_access import cache
from data_access.db import get_engine, session_scope
from data_access.errors import AccessDenied, InvalidParameter
from data_access.models import (
    Area,
    AuditLog,
    Base,
    Intervention,
    InterventionOutput,
    Measure,
    MeasureValue,
    Source,
    Spend,
    Submission,
    Workstream,
    WorkstreamMeasure,
)
from data_access.returns import (
    spec,
    submissions,
    templates,
    uploads,
    validator,
    workflow,
)
from data_access.scope import Scope

PERIOD = dt.date(2025, 7, 1)  # 2025/26 Q2
LABEL = "2025/26 Q2"
TODAY = dt.date(2026, 1, 15)


def store_checksum() -> str:
    """SHA-256 over every row of every table, in primary key order."""
    digest = hashlib.sha256()
    engine = get_engine()
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            order = ", ".join(c.name for c in table.primary_key.columns)
            for row in conn.execute(
                text(f"SELECT * FROM {table.name} ORDER BY {order}")
            ):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


@pytest.fixture
def world(store):
    """A VRU area with one workstream (two interventions, a count and a %
    measure), another workstream, a lead, an admin and a viewer scope."""
    with session_scope() as session:
        source = Source(key="test", publisher="t", title="t", licence="OGL", url=None)
        session.add(source)
        session.flush()
        vru = Area(code="E23000003", name="Lancashire", level="pfa", is_vru=True)
        other = Area(code="E23000036", name="Avon and Somerset", level="pfa")
        session.add_all([vru, other])
        session.flush()
        lad = Area(code="E07000117", name="Burnley", level="lad", parent_id=vru.id)
        session.add(lad)
        session.flush()
        ws = Workstream(
            vru_area_id=vru.id, name="Divert", purpose="p", lead_role="Lead",
            source_id=source.id,
        )  # fmt: skip
        ws2 = Workstream(
            vru_area_id=other.id, name="Schools", purpose="p", lead_role="Lead",
            source_id=source.id,
        )  # fmt: skip
        session.add_all([ws, ws2])
        session.flush()
        iv1 = Intervention(
            vru_area_id=vru.id, name="=HYPERLINK(\"x\") Custody navigators",
            tier="tertiary", workstream_id=ws.id, delivering_area_id=lad.id,
            source_id=source.id,
        )  # fmt: skip
        iv2 = Intervention(
            vru_area_id=vru.id, name="Mentoring", tier="secondary",
            workstream_id=ws.id, delivering_area_id=vru.id, source_id=source.id,
        )  # fmt: skip
        iv3 = Intervention(
            vru_area_id=other.id, name="Elsewhere", tier="primary",
            workstream_id=ws2.id, delivering_area_id=other.id, source_id=source.id,
        )  # fmt: skip
        session.add_all([iv1, iv2, iv3])
        session.flush()
        common = dict(
            definition="d", polarity="no_judgement", category="output",
            period_type="quarter", ci_method="none", source_id=source.id,
        )  # fmt: skip
        m1 = Measure(code="ws_diverted", name="Diverted", unit="people", **common)
        m2 = Measure(code="ws_reoffending_pct", name="Reoffending", unit="%", **common)
        m3 = Measure(code="ws_other", name="Other", unit="people", **common)
        session.add_all([m1, m2, m3])
        session.flush()
        session.add_all(
            [
                WorkstreamMeasure(workstream_id=ws.id, measure_id=m1.id),
                WorkstreamMeasure(workstream_id=ws.id, measure_id=m2.id),
                WorkstreamMeasure(workstream_id=ws2.id, measure_id=m3.id),
            ]
        )
        # An earlier (shipped) current figure that an approved return replaces.
        session.add(
            InterventionOutput(
                intervention_id=iv2.id, period_start=PERIOD,
                period_end=dt.date(2025, 9, 30), output_type="referrals",
                age_band="all", value=999, source_id=source.id, is_current=True,
            )
        )  # fmt: skip
        ids = dict(ws=ws.id, ws2=ws2.id, iv1=iv1.id, iv2=iv2.id, iv3=iv3.id)
    lead = Scope(role="lead", area_codes=frozenset({"E23000003"}),
                 workstream_id=ids["ws"], actor="Workstream Lead")  # fmt: skip
    admin = Scope(role="admin", actor="VRU Director")
    viewer = Scope(role="viewer", area_codes=frozenset({"E23000003"}), actor="Board")
    return dict(ids, lead=lead, admin=admin, viewer=viewer)


def filled(world) -> pd.DataFrame:
    """The template with every value filled in validly."""
    frame = templates.template_rows(
        scope=world["lead"], workstream_id=world["ws"], period_start=PERIOD
    ).astype(object)
    values = []
    for row in frame.itertuples():
        if row.record == "output":
            values.append(10 if row.age_band == "all" else 4)
        elif row.record == "spend":
            values.append("300.00" if row.intervention_id == "TOTAL" else "150.00")
        elif row.unit == "%":
            values.append(25)
        else:
            values.append(7)
    frame["value"] = values
    pct = frame["unit"] == "%"
    frame.loc[pct, "numerator"] = 1
    frame.loc[pct, "denominator"] = 4
    return frame


def as_csv(frame: pd.DataFrame, encoding: str = "utf-8-sig") -> bytes:
    return frame.to_csv(index=False).encode(encoding)


def upload(world, content: bytes, name: str = "return.csv", scope=None):
    return uploads.upload_return(
        scope=scope or world["lead"],
        workstream_id=world["ws"],
        period_start=PERIOD,
        content=content,
        filename=name,
        today=TODAY,
    )


def test_template_csv_lists_interventions_measures_and_a_spend_total(world):
    frame = templates.template_rows(
        scope=world["lead"], workstream_id=world["ws"], period_start=PERIOD
    )
    assert set(frame["record"]) == {"output", "spend", "measure"}
    assert set(frame.loc[frame.record == "measure", "code"]) == {
        "ws_diverted",
        "ws_reoffending_pct",
    }
    assert "TOTAL" in set(frame["intervention_id"].astype(str))
    assert (frame["period"] == LABEL).all()
    text_csv = templates.template_csv(
        scope=world["lead"], workstream_id=world["ws"], period_start=PERIOD
    ).decode("utf-8-sig")
    # An intervention name starting with "=" is neutralised for spreadsheets.
    assert "'=HYPERLINK" in text_csv and ",=HYPERLINK" not in text_csv


def test_template_xlsx_has_validation_lists_and_notes_and_reads_back(world):
    content = templates.template_xlsx(
        scope=world["lead"], workstream_id=world["ws"], period_start=PERIOD
    )
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["Return", "Lists", "Notes"]
    sheet = book["Return"]
    assert sheet.data_validations.dataValidation, "drop-down lists expected"
    notes = {r[0]: r[1] for r in book["Notes"].iter_rows(values_only=True) if r[0]}
    for column in spec.TEMPLATE_COLUMNS:
        assert notes[column], f"no note for {column}"
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    # The blank template reads back with one problem per empty value, no crash.
    result = validator.validate_return(
        scope=world["lead"], workstream_id=world["ws"], period_start=PERIOD,
        content=content, filename="t.xlsx", today=TODAY,
    )  # fmt: skip
    assert result.problems and {p.column for p in result.problems} == {"value"}


def test_filled_xlsx_is_valid(world):
    frame = filled(world)
    out = io.BytesIO()
    frame.to_excel(out, index=False, sheet_name="Return")
    result = validator.validate_return(
        scope=world["lead"], workstream_id=world["ws"], period_start=PERIOD,
        content=out.getvalue(), filename="r.xlsx", today=TODAY,
    )  # fmt: skip
    assert result.problems == []
    assert len(result.outputs) == 2 * 6 and len(result.spend) == 2
    assert len(result.measures) == 2


def test_xlsx_numbers_are_read_as_numbers_and_true_false_is_not_a_count(world):
    """A workbook's cells arrive typed: 150.5 (a float) is £150.50, and TRUE (a
    boolean, which Python would count as 1) is no count at all."""
    frame = filled(world)
    spend = (frame.record == "spend") & (frame.intervention_id != "TOTAL")
    frame["value"] = frame["value"].astype(object)
    frame.loc[spend, "value"] = 150.5
    frame.loc[frame.intervention_id == "TOTAL", "value"] = 301.0
    out = io.BytesIO()
    frame.to_excel(out, index=False, sheet_name="Return")
    result = validator.validate_return(
        scope=world["lead"], workstream_id=world["ws"], period_start=PERIOD,
        content=out.getvalue(), filename="r.xlsx", today=TODAY,
    )  # fmt: skip
    assert result.problems == []
    assert sorted(s["amount"] for s in result.spend) == [150.5, 150.5]
    row = _row_of(frame, _young_people_all(frame))
    frame.loc[row - 2, "value"] = True
    out = io.BytesIO()
    frame.to_excel(out, index=False, sheet_name="Return")
    result = validator.validate_return(
        scope=world["lead"], workstream_id=world["ws"], period_start=PERIOD,
        content=out.getvalue(), filename="r.xlsx", today=TODAY,
    )  # fmt: skip
    assert [(p.row, p.column, p.expected) for p in result.problems] == [
        (row, "value", "a whole number of at least 0")
    ]


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "cp1252"], ids=["utf8", "bom", "win1252"]
)
def test_encodings_column_order_thousands_and_trailing_blanks(world, encoding):
    frame = filled(world)
    frame = frame[list(reversed(frame.columns))]  # any column order
    frame.loc[frame.record == "output", "value"] = "1,200"
    frame.loc[(frame.record == "output") & (frame.age_band == "under25"), "value"] = 3
    frame.loc[frame.intervention_id == "TOTAL", "value"] = "£300.00"
    frame["notes"] = "café £"  # not ASCII in every encoding
    content = as_csv(frame, encoding) + b",,,,\r\n,,,\r\n\r\n"
    result = upload(world, content)
    assert result.accepted, result.problems
    with session_scope() as session:
        values = session.scalars(
            select(InterventionOutput.value).where(
                InterventionOutput.submission_id == result.submission_id,
                InterventionOutput.age_band == "all",
            )
        ).all()
    assert set(values) == {1200}


def test_excel_date_and_serial_periods_are_read_as_quarters(world):
    frame = filled(world)
    frame["period"] = dt.datetime(2025, 7, 1)
    out = io.BytesIO()
    frame.to_excel(out, index=False, sheet_name="Return")
    assert upload(world, out.getvalue(), "r.xlsx").accepted
    frame["period"] = "45839"  # Excel's serial number for 1 July 2025
    frame["notes"] = "serial"
    result = upload(world, as_csv(frame))
    assert result.accepted, result.problems


def _mutate(frame: pd.DataFrame, record: str, column: str, value, where=None):
    mask = frame["record"] == record
    if where is not None:
        mask &= where(frame)
    index = frame[mask].index[0]
    frame.loc[index, column] = value
    return frame


BAD_CELLS = [
    # (record, column, value, column expected in the report, where)
    ("output", "record", "outputs", "record", None),
    ("output", "period", "2025/26 Q5", "period", None),
    ("output", "period", "2031/32 Q1", "period", None),  # in the future
    ("output", "period", "2025/26 Q1", "period", None),  # not this return's quarter
    ("output", "area_code", "E99999999", "area_code", None),
    ("output", "area_code", "E23000036", "area_code", None),  # not where delivered
    ("output", "intervention_id", "abc", "intervention_id", None),
    ("output", "intervention_id", 99999, "intervention_id", None),
    ("output", "code", "hugs", "code", None),
    ("output", "unit", "£", "unit", None),
    ("output", "value", "-3", "value", None),
    ("output", "value", "2.5", "value", None),
    ("output", "value", "many", "value", None),
    ("output", "value", None, "value", None),
    ("output", "age_band", "over65", "age_band", None),
    ("spend", "unit", "£000", "unit", None),
    ("spend", "value", "-1", "value", None),
    ("spend", "value", "12.345", "value", None),
    ("spend", "area_code", "E07000117", "area_code", None),
    ("measure", "code", "ws_other", "code", None),  # another workstream's measure
    ("measure", "code", "no_such_measure", "code", None),
    ("measure", "unit", "people", "unit", lambda f: f["unit"] == "%"),
    ("measure", "numerator", 9, "numerator", lambda f: f["unit"] == "%"),
    ("measure", "value", 140, "value", lambda f: f["unit"] == "%"),
    ("measure", "value", 60, "value", lambda f: f["unit"] == "%"),  # not 1/4
]


@pytest.mark.parametrize("record,column,value,reported,where", BAD_CELLS)
def test_each_bad_cell_is_reported_and_changes_nothing(
    world, record, column, value, reported, where
):
    frame = _mutate(filled(world), record, column, value, where)
    before = store_checksum()
    result = upload(world, as_csv(frame))
    assert not result.accepted
    assert reported in {p.column for p in result.problems}, result.problems
    problem = next(p for p in result.problems if p.column == reported)
    assert problem.sheet == "CSV" and problem.row and problem.expected
    assert store_checksum() == before


def test_other_workstreams_intervention_is_out_of_scope(world):
    frame = _mutate(filled(world), "output", "intervention_id", world["iv3"])
    result = upload(world, as_csv(frame))
    assert any("Divert" in p.expected for p in result.problems)


def test_a_measure_value_that_is_not_a_number_is_named_as_such(world):
    frame = filled(world).astype(object)
    row = _row_of(frame, (frame.record == "measure") & (frame.unit != "%"))
    frame.loc[row - 2, "value"] = "lots"
    _refused_with(world, frame, row, "value", "a number")


@pytest.mark.parametrize("count", [4, 1])
def test_a_percentage_of_exactly_100_is_accepted(world, count):
    """4 of 4 (or 1 of 1) is 100%: the top of the range, not beyond it."""
    frame = filled(world).astype(object)
    frame.loc[_pct(frame), ["value", "numerator", "denominator"]] = [100, count, count]
    result = upload(world, as_csv(frame))
    assert result.accepted, result.problems


@pytest.mark.parametrize(
    "record,column,rule",
    [
        ("measure", "code", "one row per measure"),
        ("output", "code", "one row per intervention, output and age band"),
        ("spend", "intervention_id", "one spend row per intervention"),
    ],
)
def test_a_row_given_twice_is_refused_at_its_second_row(world, record, column, rule):
    """The same rule for every record type: the first row is kept, the repeat is
    refused at its own row, naming the first."""
    frame = filled(world).astype(object)
    first = _row_of(
        frame,
        (frame.record == record) & (frame.unit != "%")
        & (frame.intervention_id != "TOTAL"),
    )  # fmt: skip
    frame = pd.concat([frame, frame.loc[[first - 2]]], ignore_index=True)
    again = len(frame) + 1  # the header is row 1
    _refused_with(world, frame, again, column, f"{rule} (row {first} has the same)")


def test_an_intervention_that_does_not_exist_is_named_as_such(world):
    """Not "another workstream's" (that names the lead's workstream): no such
    intervention at all."""
    frame = filled(world).astype(object)
    row = _row_of(frame, frame.record == "output")
    frame.loc[row - 2, "intervention_id"] = 99999
    _refused_with(world, frame, row, "intervention_id", "an intervention that exists")


def test_duplicates_totals_and_parts_are_checked(world):
    frame = filled(world)
    duplicate = pd.concat([frame, frame.iloc[[0]]], ignore_index=True)
    assert any("row 2 has the same" in p.expected for p in upload(
        world, as_csv(duplicate)).problems)  # fmt: skip
    frame = filled(world)
    frame.loc[frame.intervention_id == "TOTAL", "value"] = "301.00"
    problems = upload(world, as_csv(frame)).problems
    assert any("£300.00, the sum" in p.expected for p in problems)
    frame = filled(world)
    frame.loc[frame.age_band == "under25", "value"] = 11
    problems = upload(world, as_csv(frame)).problems
    assert any("not more than all ages" in p.expected for p in problems)


@pytest.mark.parametrize(
    "change,expected",
    [
        (lambda f: f.drop(columns=["unit"]), "a 'unit' column"),
        (lambda f: f.assign(colour="red"), "a column of the template"),
        (lambda f: f.rename(columns={"code": "record"}), "each column only once"),
    ],
    ids=["missing", "unknown", "duplicated"],
)
def test_header_problems(world, change, expected):
    before = store_checksum()
    result = upload(world, as_csv(change(filled(world))))
    assert any(expected in p.expected for p in result.problems)
    assert store_checksum() == before


@pytest.mark.parametrize(
    "content,name,words",
    [
        (b"", "r.csv", "empty"),
        (b"\r\n\r\n ,,\r\n", "r.csv", "empty"),
        (b"record,period,value\r\n", "r.csv", "no rows"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "r.png", "not a spreadsheet"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 50, "r.xls", ".xls"),
        (b"PK\x03\x04garbage", "r.xlsx", "not an Excel workbook"),
        (b"plain text", "r.xlsx", "not an Excel workbook"),
    ],
    ids=["empty", "blank", "header-only", "png", "xls", "bad-zip", "named-xlsx"],
)
def test_unreadable_files_are_refused_with_a_clear_message(world, content, name, words):
    before = store_checksum()
    with pytest.raises(spec.FileRefused, match=words):
        upload(world, content, name)
    assert store_checksum() == before


def test_a_file_over_the_limit_is_refused(world, monkeypatch):
    monkeypatch.setenv("UPLOAD_MAX_BYTES", "1000")
    before = store_checksum()
    with pytest.raises(spec.FileRefused, match="largest accepted"):
        upload(world, as_csv(filled(world)) + b" " * 1000)
    assert store_checksum() == before


def test_workbook_without_a_return_sheet_is_refused(world):
    out = io.BytesIO()
    pd.DataFrame({"a": [1]}).to_excel(out, index=False, sheet_name="Notes")
    with pytest.raises(spec.FileRefused, match="no 'Return' sheet"):
        upload(world, out.getvalue(), "r.xlsx")


def test_scope_lead_viewer_and_future_period(world):
    with pytest.raises(AccessDenied):
        uploads.upload_return(
            scope=world["lead"], workstream_id=world["ws2"], period_start=PERIOD,
            content=b"x", filename="r.csv", today=TODAY,
        )  # fmt: skip
    with pytest.raises(AccessDenied):
        upload(world, as_csv(filled(world)), scope=world["viewer"])
    with pytest.raises(InvalidParameter, match="future"):
        uploads.upload_return(
            scope=world["lead"], workstream_id=world["ws"],
            period_start=dt.date(2026, 4, 1), content=b"x", filename="r.csv",
            today=TODAY,
        )  # fmt: skip
    with pytest.raises(InvalidParameter):
        spec.parse_quarter("2025/27 Q1")


def _current_referrals(world) -> list[int]:
    with session_scope() as session:
        return session.scalars(
            select(InterventionOutput.value).where(
                InterventionOutput.intervention_id == world["iv2"],
                InterventionOutput.output_type == "referrals",
                InterventionOutput.is_current.is_(True),
            )
        ).all()


def test_workflow_draft_submit_approve_supersede_restore(world, monkeypatch):
    cleared = []
    monkeypatch.setattr(cache, "invalidate", lambda *_: cleared.append(1))
    lead, admin = world["lead"], world["admin"]
    first = upload(world, as_csv(filled(world)))
    assert first.accepted
    # A draft never counts, and a lead cannot approve their own return.
    assert _current_referrals(world) == [999]
    with pytest.raises(AccessDenied):
        workflow.approve_return(scope=lead, submission_id=first.submission_id)
    with pytest.raises(InvalidParameter):
        workflow.approve_return(scope=admin, submission_id=first.submission_id)
    workflow.submit_return(scope=lead, submission_id=first.submission_id)
    with pytest.raises(InvalidParameter, match="say why"):
        workflow.return_submission(scope=admin, submission_id=first.submission_id,
                                  comment=" ")  # fmt: skip
    workflow.approve_return(scope=admin, submission_id=first.submission_id)
    assert _current_referrals(world) == [10] and cleared

    # The same file again is recognised and changes nothing.
    before = store_checksum()
    again = upload(world, as_csv(filled(world)))
    assert again.duplicate_of == first.submission_id and not again.accepted
    assert store_checksum() == before

    # A resubmission for the quarter supersedes on approval, never duplicates.
    frame = filled(world)
    frame.loc[frame.record == "output", "value"] = 20
    frame.loc[frame.age_band == "under25", "value"] = 5
    second = upload(world, as_csv(frame))
    workflow.submit_return(scope=lead, submission_id=second.submission_id)
    workflow.return_submission(
        scope=admin, submission_id=second.submission_id, comment="check referrals"
    )
    listing = submissions.list_submissions(scope=lead)
    assert listing.set_index("submission_id").loc[second.submission_id, "comment"] == (
        "check referrals"
    )
    third = upload(world, as_csv(frame.assign(notes="fixed")))
    listing = submissions.list_submissions(scope=lead).set_index("submission_id")
    assert listing.loc[second.submission_id, "status"] == "superseded"
    workflow.submit_return(scope=lead, submission_id=third.submission_id)
    workflow.approve_return(scope=admin, submission_id=third.submission_id)
    assert _current_referrals(world) == [20]
    listing = submissions.list_submissions(scope=admin).set_index("submission_id")
    assert listing.loc[first.submission_id, "status"] == "superseded"
    assert listing.loc[third.submission_id, "status"] == "approved"
    with session_scope() as session:
        current_outputs = session.scalar(
            select(text("count(*)"))
            .select_from(InterventionOutput)
            .where(InterventionOutput.is_current.is_(True))
        )
        assert current_outputs == 12  # one per key: nothing duplicated
        spend = session.scalars(
            select(Spend.amount).where(Spend.is_current.is_(True))
        ).all()
        assert len(spend) == 2
        measure = session.execute(
            select(MeasureValue.value, MeasureValue.numerator, MeasureValue.denominator)
            .join(Measure, Measure.id == MeasureValue.measure_id)
            .where(Measure.code == "ws_reoffending_pct", MeasureValue.is_current)
        ).one()
        assert tuple(measure) == (25.0, 1.0, 4.0)

    # Restoring the first return is the flip in reverse.
    with pytest.raises(AccessDenied):
        workflow.restore_submission(scope=lead, submission_id=first.submission_id)
    workflow.restore_submission(scope=admin, submission_id=first.submission_id)
    assert _current_referrals(world) == [10]
    with pytest.raises(InvalidParameter):  # never approved: cannot be restored
        workflow.restore_submission(scope=admin, submission_id=second.submission_id)

    audit = submissions.submission_audit(scope=admin, submission_id=third.submission_id)
    assert list(audit["action"]) == [
        "upload_return", "submit_return", "approve_return", "supersede_return",
    ]  # fmt: skip
    approval = json.loads(audit.iloc[2]["after"])
    change = approval["figures"]["intervention_output"]["changes"]
    assert {"before": 10, "after": 20}.items() <= change[0].items()
    assert approval["superseded"] == [first.submission_id]
    assert "four_eyes" in approval
    # A restore is audited as an approval is: the figures and what it superseded.
    history = submissions.submission_audit(
        scope=admin, submission_id=first.submission_id
    )
    restore = json.loads(
        history.loc[history["action"] == "restore_return", "after"].iloc[0]
    )
    assert restore["status"] == "approved"
    assert restore["superseded"] == [third.submission_id]
    assert "intervention_output" in restore["figures"]
    with session_scope() as session:
        actors = set(session.scalars(select(AuditLog.actor)))
    assert {"Workstream Lead", "VRU Director"} <= actors

    name, raw = submissions.submission_file(
        scope=lead, submission_id=first.submission_id
    )
    assert raw == as_csv(filled(world))
    assert name == f"return-{first.submission_id}-return.csv"
    with session_scope() as session:
        sha = session.scalar(
            select(Submission.sha256).where(Submission.id == first.submission_id)
        )
    assert sha == hashlib.sha256(raw).hexdigest()
    with pytest.raises(AccessDenied):
        submissions.submission_file(
            scope=world["viewer"], submission_id=first.submission_id
        )


def test_every_return_of_a_vru_is_filed_under_its_one_returns_source(world):
    first = upload(world, as_csv(filled(world)))
    frame = filled(world)
    frame.loc[frame.record == "output", "value"] = 20
    second = upload(world, as_csv(frame))
    assert first.accepted and second.accepted
    with session_scope() as session:
        sources = session.execute(
            select(
                Source.id, Source.key, Source.publisher, Source.title, Source.url,
                Source.licence, Source.retrieved, Source.illustrative,
                Source.precedence, Source.edition, Source.reference_date,
            ).where(Source.key != "test")
        ).all()  # fmt: skip
        used = set(
            session.scalars(
                select(Submission.source_id).where(
                    Submission.id.in_([first.submission_id, second.submission_id])
                )
            )
        ) | set(session.scalars(select(Spend.source_id)))
    assert [tuple(s[1:]) for s in sources] == [
        (
            "returns-E23000003",
            "Lancashire Violence Reduction Unit",
            "Quarterly returns to Lancashire VRU (approved)",
            None,
            "Internal: not for publication without the VRU's approval",
            None,
            False,
            20,
            None,
            None,
        )
    ]
    assert used == {sources[0].id}


@pytest.mark.parametrize(
    "today,starts",
    [
        (dt.date(2026, 1, 15), ["2026-01-01", "2025-10-01", "2025-07-01"]),
        (dt.date(2025, 4, 1), ["2025-04-01", "2025-01-01", "2024-10-01"]),
        (dt.date(2025, 3, 31), ["2025-01-01", "2024-10-01", "2024-07-01"]),
    ],
)
def test_the_quarters_offered_and_counted_walk_back_from_today(today, starts):
    """One walk back through the quarters: the quarter pickers offer the quarters
    that have started, completeness counts the ones that have ended."""
    assert [str(d) for d in spec.started_quarters(today, 3)] == starts
    offered = spec.recent_quarters(today=today, count=3)
    assert [q["value"] for q in offered] == [s[:7] for s in starts]
    assert offered[0]["label"] == spec.quarter_label(dt.date.fromisoformat(starts[0]))


def test_completeness_says_due_received_and_late(world):
    today = dt.date(2025, 10, 20)  # Q2 due 31 Oct: due, not late
    frame = submissions.completeness(scope=world["lead"], today=today)
    assert set(frame["workstream_id"]) == {world["ws"]}
    q2 = frame[frame.period == LABEL].iloc[0]
    assert q2.status == "due" and not q2.late
    assert frame[frame.period == "2025/26 Q1"].iloc[0].status == "late"
    result = uploads.upload_return(
        scope=world["lead"], workstream_id=world["ws"], period_start=PERIOD,
        content=as_csv(filled(world)), filename="r.csv", today=today,
    )  # fmt: skip
    workflow.submit_return(scope=world["lead"], submission_id=result.submission_id)
    frame = submissions.completeness(scope=world["admin"], today=today)
    q2 = frame[(frame.period == LABEL) & (frame.workstream_id == world["ws"])].iloc[0]
    assert q2.status == "submitted" and q2.received
    assert len(frame) == 2 * 4  # both workstreams, four quarters


def test_problem_report_neutralises_formulas():
    report = spec.problems_csv(
        [spec.Problem("CSV", 2, "code", "=cmd|' /C calc'!A0", "a code")]
    ).decode("utf-8-sig")
    assert "'=cmd" in report
    assert spec.neutralise("+1") == "'+1" and spec.neutralise("@x") == "'@x"
    assert spec.neutralise("-2") == "'-2" and spec.neutralise("ok") == "ok"


# -------------------------------------------------------------- property-based

CELL = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["=1+1", "@SUM(A1)", "NA", "..", "£1,000", "1,2,3", "\ufeff"]),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_malformed_returns_are_refused_or_valid_and_never_half_written(world, data):
    """Random cell damage, random bytes, truncation and shuffled rows: every file
    is either refused with problems (store byte-for-byte unchanged) or accepted as
    a whole draft whose figures match the file's row count."""
    frame = filled(world).astype(object)
    kind = data.draw(st.sampled_from(["cells", "bytes", "truncate", "shuffle"]))
    content = as_csv(frame)
    if kind == "cells":
        for _ in range(data.draw(st.integers(1, 4))):
            row = data.draw(st.integers(0, len(frame) - 1))
            column = data.draw(st.sampled_from(list(frame.columns)))
            frame.iat[row, list(frame.columns).index(column)] = data.draw(CELL)
        content = as_csv(frame, data.draw(st.sampled_from(["utf-8", "utf-8-sig"])))
    elif kind == "bytes":
        content = data.draw(st.binary(max_size=400))
    elif kind == "truncate":
        content = content[: data.draw(st.integers(0, len(content) - 1))]
    else:
        content = as_csv(
            frame.sample(frac=1, random_state=data.draw(st.integers(0, 99)))
        )
        content += data.draw(st.sampled_from([b"", b",,,\r\n", b"\r\n\r\n"]))
    before = store_checksum()
    try:
        result = upload(world, content, data.draw(st.sampled_from(["r.csv", "r.xlsx"])))
    except (spec.FileRefused, InvalidParameter):
        assert store_checksum() == before
        return
    if not result.accepted:
        assert result.problems
        for p in result.problems:
            assert isinstance(p.expected, str) and p.expected
        assert store_checksum() == before
        return
    with session_scope() as session:
        written = sum(
            session.scalar(
                select(text("count(*)"))
                .select_from(model)
                .where(model.submission_id == result.submission_id)
            )
            for model in (InterventionOutput, Spend, MeasureValue)
        )
        assert not session.scalar(
            select(text("count(*)"))
            .select_from(InterventionOutput)
            .where(
                InterventionOutput.submission_id == result.submission_id,
                InterventionOutput.is_current.is_(True),
            )
        )
    # Every row read (a truncated file may still be whole rows) but the TOTAL.
    lines = content.decode("utf-8-sig").splitlines()
    totals = sum(1 for line in lines if ",TOTAL," in line)
    assert written == result.rows - totals
    # Leave the store as it was for the next example.
    with session_scope() as session:
        for model in (InterventionOutput, Spend, MeasureValue):
            session.execute(
                model.__table__.delete().where(
                    model.submission_id == result.submission_id
                )
            )
        session.execute(AuditLog.__table__.delete())
        session.execute(Submission.__table__.delete())


def test_large_return_is_refused_row_by_row_without_memory_blowup(world):
    """A long file with one bad row names exactly that row."""
    frame = filled(world)
    bad = frame.copy()
    bad.loc[bad.index[3], "value"] = "ten"
    result = upload(world, as_csv(bad))
    assert [p.row for p in result.problems] == [5]  # header is row 1


# -------------------------------------------------------------- four eyes


def _user(name: str, role: str, **extra) -> Scope:
    from data_access import users

    record, _ = users.create_user(
        username=name, role=role, role_title=f"{name} role", **extra
    )
    return record.scope()


def test_only_admins_approve_and_never_a_return_they_uploaded_or_submitted(world):
    """Issue 21, finding 7: an analyst uploaded, submitted and approved a return
    alone. Approval is for admins, and the approver is never the user who
    uploaded or submitted it (four eyes); the approval records who submitted."""
    lead = _user("wslead", "lead", workstream_id=world["ws"])
    analyst = _user("analyst1", "analyst")
    director, deputy = _user("director", "admin"), _user("deputy", "admin")

    by_lead = upload(world, as_csv(filled(world)), scope=lead).submission_id
    workflow.submit_return(scope=lead, submission_id=by_lead)
    before = store_checksum()
    with pytest.raises(AccessDenied, match="only a VRU admin"):
        workflow.approve_return(scope=analyst, submission_id=by_lead)
    with pytest.raises(AccessDenied, match="only a VRU admin"):
        workflow.approve_return(scope=lead, submission_id=by_lead)
    assert store_checksum() == before

    # An admin who uploads and submits a return cannot approve it.
    own = upload(world, as_csv(filled(world).assign(notes="own")), scope=director)
    workflow.submit_return(scope=director, submission_id=own.submission_id)
    before = store_checksum()
    with pytest.raises(AccessDenied, match="four eyes"):
        workflow.approve_return(scope=director, submission_id=own.submission_id)
    assert store_checksum() == before
    # Nor one they only submitted for the lead.
    drafted = upload(world, as_csv(filled(world).assign(notes="d")), scope=lead)
    workflow.submit_return(scope=deputy, submission_id=drafted.submission_id)
    with pytest.raises(AccessDenied, match="four eyes"):
        workflow.approve_return(scope=deputy, submission_id=drafted.submission_id)

    workflow.approve_return(scope=director, submission_id=drafted.submission_id)
    with session_scope() as session:
        approval = session.execute(
            select(AuditLog.user_id, AuditLog.after).where(
                AuditLog.action == "approve_return",
                AuditLog.entity_id == str(drafted.submission_id),
            )
        ).one()
    assert approval.user_id == director.user_id
    four_eyes = json.loads(approval.after)["four_eyes"]
    assert four_eyes == {"submitted_by": sorted({lead.user_id, deputy.user_id})}


def _scope_of(world, who: str) -> Scope:
    """A returns user by what they are to the world's workstream `ws`."""
    return {
        "own lead": world["lead"],
        "other lead": Scope(
            role="lead", area_codes=frozenset({"E23000036"}),
            workstream_id=world["ws2"], actor="Other Lead",
        ),
        "admin": world["admin"],
        "analyst": Scope(role="analyst", actor="Analyst"),
        "viewer": world["viewer"],
    }[who]  # fmt: skip


@pytest.mark.parametrize(
    "who,offered",
    [
        ("own lead", True),
        ("other lead", False),
        ("admin", True),
        ("analyst", True),
        ("viewer", False),
    ],
)
def test_submit_is_offered_to_exactly_those_who_may_submit(world, who, offered):
    """The Returns page's Submit button and submit_return follow one rule
    (permissions.may_upload): offered to a scope exactly when it would succeed."""
    scope = _scope_of(world, who)
    draft = upload(world, as_csv(filled(world))).submission_id
    listing = submissions.list_submissions(scope=world["admin"])
    row = listing.set_index("submission_id").loc[draft]
    row = row.to_frame().T.assign(submission_id=draft).iloc[0]
    assert ("submit" in workflow.actions_for(scope, row)) is offered
    if offered:
        workflow.submit_return(scope=scope, submission_id=draft)
    else:
        with pytest.raises(AccessDenied):
            workflow.submit_return(scope=scope, submission_id=draft)


@pytest.mark.parametrize(
    "who,sees",
    [
        ("own lead", {"ws"}),
        ("other lead", {"ws2"}),
        ("admin", {"ws", "ws2"}),
        ("analyst", {"ws", "ws2"}),
        ("viewer", set()),
    ],
)
def test_who_sees_a_workstreams_returns_is_one_rule(world, who, sees):
    """The workstreams offered, the listing and a return's file and audit trail
    follow one rule (permissions.may_read)."""
    scope = _scope_of(world, who)
    draft = upload(world, as_csv(filled(world))).submission_id
    offered = set(templates.workstreams_for(scope=scope)["workstream_id"])
    assert offered == {world[key] for key in sees}
    for key in ("ws", "ws2"):
        if key in sees:
            submissions.list_submissions(scope=scope, workstream_id=world[key])
        else:
            with pytest.raises(AccessDenied):
                submissions.list_submissions(scope=scope, workstream_id=world[key])
    for read in (submissions.submission_file, submissions.submission_audit):
        if "ws" in sees:
            read(scope=scope, submission_id=draft)
        else:
            with pytest.raises(AccessDenied):
                read(scope=scope, submission_id=draft)


def test_actions_offered_follow_the_same_rules(world):
    lead = _user("wslead", "lead", workstream_id=world["ws"])
    analyst = _user("analyst1", "analyst")
    director, deputy = _user("director", "admin"), _user("deputy", "admin")
    own = upload(world, as_csv(filled(world)), scope=director).submission_id
    workflow.submit_return(scope=director, submission_id=own)
    row = submissions.list_submissions(scope=director).set_index("submission_id")
    row = row.loc[own].to_frame().T.assign(submission_id=own).iloc[0]
    assert workflow.actions_for(director, row) == ["return", "file"]
    assert workflow.actions_for(deputy, row) == ["approve", "return", "file"]
    assert workflow.actions_for(analyst, row) == ["return", "file"]
    assert workflow.actions_for(lead, row) == ["file"]
    # Restore is offered only for a superseded return that was once approved.
    workflow.approve_return(scope=deputy, submission_id=own)
    later = upload(world, as_csv(filled(world).assign(notes="2")), scope=lead)
    workflow.submit_return(scope=lead, submission_id=later.submission_id)
    workflow.approve_return(scope=deputy, submission_id=later.submission_id)
    never = upload(world, as_csv(filled(world).assign(notes="3")), scope=lead)
    again = upload(world, as_csv(filled(world).assign(notes="4")), scope=lead)
    assert again.superseded == (never.submission_id,)
    listing = submissions.list_submissions(scope=director).set_index("submission_id")
    actions = {
        i: workflow.actions_for(director, listing.loc[i].to_frame().T.iloc[0])
        for i in (own, never.submission_id)
    }
    assert actions == {own: ["restore", "file"], never.submission_id: ["file"]}


# ------------------------------------- validation cases, row, column and message


def _row_of(frame: pd.DataFrame, mask) -> int:
    """The file row (header is row 1) of the first row matching `mask`."""
    return int(frame[mask].index[0]) + 2


def _refused_with(world, frame, row: int, column: str, expected: str) -> None:
    """The upload is refused with exactly this problem among its problems, and
    the store is byte-for-byte what it was."""
    before = store_checksum()
    result = upload(world, as_csv(frame))
    assert not result.accepted
    found = [(p.row, p.column, p.expected) for p in result.problems]
    assert (row, column, expected) in found, found
    assert store_checksum() == before


def test_a_wrong_spend_total_is_refused_at_the_total_row(world):
    """The spend rows add up to £300.00; a TOTAL row of £301.00 is refused on its
    own row and in its value column (not on some other row)."""
    frame = filled(world)
    is_total = frame.intervention_id == "TOTAL"
    frame.loc[is_total, "value"] = "301.00"
    row = _row_of(frame, is_total)
    _refused_with(world, frame, row, "value", "£300.00, the sum of the spend rows (2)")


def test_a_percentage_left_blank_is_worked_out_from_its_counts(world):
    """1 of 4 with its value left blank is 25 (%), worked out, not stored blank."""
    frame = filled(world)
    frame.loc[_pct(frame), "value"] = ""
    result = validator.validate_return(
        scope=world["lead"], workstream_id=world["ws"], period_start=PERIOD,
        content=as_csv(frame), filename="r.csv", today=TODAY,
    )  # fmt: skip
    assert result.problems == []
    counted = [m for m in result.measures if m["denominator"] is not None]
    assert [m["value"] for m in counted] == [25.0]


def test_a_row_for_a_future_quarter_is_refused_as_in_the_future(world):
    """2031/32 Q1 is after TODAY: refused as a quarter in the future (the reason),
    not merely as another quarter than the return's."""
    frame = _mutate(filled(world), "output", "period", "2031/32 Q1")
    row = _row_of(frame, frame.period == "2031/32 Q1")
    _refused_with(world, frame, row, "period", "a quarter not in the future")


def test_a_percentage_of_0_out_of_0_is_accepted(world):
    """0 of 0 at 0% is a quarter with nobody to count: accepted, never a division
    by zero."""
    frame = filled(world)
    frame.loc[_pct(frame), ["numerator", "denominator", "value"]] = 0
    result = upload(world, as_csv(frame))
    assert result.problems == [] and result.accepted


def test_a_spend_of_nothing_is_accepted(world):
    """£0.00 on one intervention (nothing spent this quarter) is an amount of at
    least £0: accepted, with a TOTAL of the other's £150.00."""
    frame = filled(world)
    spend = (frame.record == "spend") & (frame.intervention_id != "TOTAL")
    frame.loc[frame[spend].index[0], "value"] = "0.00"
    frame.loc[frame.intervention_id == "TOTAL", "value"] = "150.00"
    result = upload(world, as_csv(frame))
    assert result.problems == [] and result.accepted


@pytest.mark.parametrize(
    ("record", "column", "value", "expected"),
    [
        # Another workstream's measure is named as not this workstream's...
        ("measure", "code", "ws_other", "a measure of Divert"),
        # ... one that does not exist as not existing.
        ("measure", "code", "no_such_measure", "a measure code that exists"),
        ("output", "area_code", "E99999999", "an ONS area code that exists"),
    ],
)
def test_the_message_says_why_a_code_is_refused(world, record, column, value, expected):
    frame = _mutate(filled(world), record, column, value)
    row = _row_of(frame, frame[column] == value)
    _refused_with(world, frame, row, column, expected)


def test_a_number_cell_that_is_nan_or_infinite_is_not_a_number():
    """A workbook's numeric cell can be written as NaN or INF (openpyxl reads
    them as floats): neither is a number, so neither reaches a comparison."""
    from decimal import Decimal

    from data_access.returns.validator import _number

    for cell in (float("nan"), float("inf"), float("-inf")):
        assert _number(cell) is None, cell
    assert _number(2.5) == Decimal("2.5")
    # A pound sign is taken only in front: "5£" and "1£2" are not numbers.
    assert _number("£5") == _number("5") == Decimal(5)
    assert _number("5£") is None and _number("1£2") is None
    # One pound sign only, before the number or after its minus sign.
    assert _number("-£5") == Decimal(-5) and _number("£1,250.50") == Decimal("1250.50")
    for cell in ("-££5", "££5", "£-£5"):
        assert _number(cell) is None, cell


def _young_people_all(f):
    return (f.code == "young_people_supported") & (f.age_band == "all")


def _pct(f):
    return (f.record == "measure") & (f.unit == "%")


NEGATIVE_CASES = [
    # (case, mask, column, value, blank the value?, expected)
    # The all-ages row of young people: with the negative check gone, the
    # under-25 rule would name the other row (how "-3" once passed wrongly).
    ("output", _young_people_all, "value", "-3", False, "a count of at least 0"),
    (
        "spend",
        lambda f: (f.record == "spend") & (f.intervention_id != "TOTAL"),
        "value",
        "-1.00",
        False,
        "an amount of at least £0",
    ),
    (
        "measure",
        lambda f: (f.record == "measure") & (f.unit != "%"),
        "value",
        "-7",
        False,
        "a value of at least 0",
    ),
    ("numerator", _pct, "numerator", "-1", False, "a count of at least 0"),
    ("numerator-no-value", _pct, "numerator", "-1", True, "a count of at least 0"),
    ("denominator", _pct, "denominator", "-4", False, "a count of at least 0"),
    ("denominator-no-value", _pct, "denominator", "-4", True, "a count of at least 0"),
]


@pytest.mark.parametrize(
    "mask,column,value,blank_value,expected",
    [case[1:] for case in NEGATIVE_CASES],
    ids=[case[0] for case in NEGATIVE_CASES],
)
def test_a_negative_count_is_refused_in_every_numeric_column(
    world, mask, column, value, blank_value, expected
):
    frame = filled(world).astype(object)
    row = _row_of(frame, mask(frame))
    frame.loc[row - 2, column] = value
    if blank_value:
        frame.loc[row - 2, "value"] = None
    _refused_with(world, frame, row, column, expected)


@pytest.mark.parametrize("blank_value", [False, True], ids=["value", "no-value"])
def test_a_numerator_one_more_than_its_denominator_is_refused(world, blank_value):
    frame = filled(world).astype(object)
    row = _row_of(frame, _pct(frame))
    frame.loc[row - 2, ["numerator", "denominator"]] = [5, 4]
    if blank_value:
        frame.loc[row - 2, "value"] = None
    _refused_with(world, frame, row, "numerator", "not more than the denominator (4)")


@pytest.mark.parametrize("quarter", ["2025/26 Q3", "2025/26 Q1", "2024/25 Q2"])
@pytest.mark.parametrize("record", ["output", "spend", "measure"])
def test_a_row_for_another_quarter_is_refused(world, quarter, record):
    """2025/26 Q3 is later than the return's Q2 but not in the future (TODAY is
    January 2026): it must be refused, not stored as Q2."""
    frame = filled(world).astype(object)
    row = _row_of(frame, frame.record == record)
    frame.loc[row - 2, "period"] = quarter
    _refused_with(world, frame, row, "period", f"{LABEL}, the quarter of this return")


@pytest.mark.parametrize(
    "record,expected",
    [
        ("spend", "E23000003 (Lancashire)"),
        ("measure", "E23000003 (Lancashire)"),
        ("output", "E07000117, where the intervention is delivered"),
    ],
)
def test_a_row_for_an_area_outside_the_leads_scope_is_refused(world, record, expected):
    """Avon and Somerset exists, but the lead's workstream is Lancashire's."""
    frame = filled(world).astype(object)
    mask = frame.record == record
    if record == "output":
        mask &= frame.area_code == "E07000117"
    row = _row_of(frame, mask)
    frame.loc[row - 2, "area_code"] = "E23000036"
    _refused_with(world, frame, row, "area_code", expected)


# ------------------------------------------- bounded values and clean refusals

HUGE = "9" * 400


@pytest.mark.parametrize(
    "mask,column,expected",
    [
        (_young_people_all, "value", "a count of at most 2,000,000,000"),
        (
            lambda f: (f.record == "spend") & (f.intervention_id != "TOTAL"),
            "value",
            "less than £1,000,000,000,000",
        ),
        (
            lambda f: (f.record == "measure") & (f.unit != "%"),
            "value",
            "a count of at most 2,000,000,000",
        ),
        (_pct, "denominator", "a count of at most 2,000,000,000"),
    ],
    ids=["output", "spend", "measure", "denominator"],
)
def test_a_400_digit_value_is_refused_not_stored_as_infinity(
    world, mask, column, expected
):
    """Issue 21, finding 4: a 400-digit measure value was stored as infinity and
    /workstreams/1 then answered 500."""
    frame = filled(world).astype(object)
    row = _row_of(frame, mask(frame))
    frame.loc[row - 2, column] = HUGE
    _refused_with(world, frame, row, column, expected)


@pytest.mark.parametrize("value", ["²", "①", "٣", "1e5", "inf", "NaN"])
def test_digits_that_are_not_numbers_are_refused_as_problems(world, value):
    """Issue 21, finding 8: "²" and "①" raised decimal.InvalidOperation (HTTP 500)."""
    frame = filled(world).astype(object)
    row = _row_of(frame, _young_people_all(frame))
    frame.loc[row - 2, "value"] = value
    _refused_with(world, frame, row, "value", "a whole number of at least 0")


def test_an_unreal_year_is_refused_everywhere(world):
    """'9999/00 Q4' ends in the year 10000: a 500 from a row, the upload's
    quarter and the template before."""
    frame = filled(world).astype(object)
    row = _row_of(frame, frame.record == "output")
    frame.loc[row - 2, "period"] = "9999/00 Q4"
    _refused_with(world, frame, row, "period", f"a quarter like {LABEL}")
    before = store_checksum()
    with pytest.raises(InvalidParameter, match="from 1990/91 to 2098/99"):
        uploads.upload_return(
            scope=world["lead"], workstream_id=world["ws"], period_start="9999/00 Q4",
            content=as_csv(filled(world)), filename="r.csv", today=TODAY,
        )  # fmt: skip
    with pytest.raises(InvalidParameter, match="from 1990/91 to 2098/99"):
        templates.template_csv(
            scope=world["lead"], workstream_id=world["ws"], period_start="9999/00 Q4"
        )
    with pytest.raises(InvalidParameter):
        spec.parse_quarter("9999-12")
    assert store_checksum() == before


def test_control_characters_and_overlong_text_are_refused_before_the_store(world):
    """Issue 21, finding 8: a NUL in a file name or a send-back comment was a
    psycopg DataError (HTTP 500) on PostgreSQL."""
    before = store_checksum()
    with pytest.raises(InvalidParameter, match="control character"):
        upload(world, as_csv(filled(world)), name="r\x00.csv")
    with pytest.raises(InvalidParameter, match="at most 255"):
        upload(world, as_csv(filled(world)), name="r" * 300 + ".csv")
    assert store_checksum() == before
    submitted = upload(world, as_csv(filled(world))).submission_id
    workflow.submit_return(scope=world["lead"], submission_id=submitted)
    before = store_checksum()
    with pytest.raises(InvalidParameter, match="control character"):
        workflow.return_submission(
            scope=world["admin"], submission_id=submitted, comment="fix\x00this"
        )
    with pytest.raises(InvalidParameter, match="at most 2,000"):
        workflow.return_submission(
            scope=world["admin"], submission_id=submitted, comment="x" * 2001
        )
    assert store_checksum() == before
    workflow.return_submission(
        scope=world["admin"], submission_id=submitted, comment="fix\r\n\tthis"
    )


def test_the_command_line_refuses_cleanly(world, tmp_path):
    """import-return: a clear error and a non-zero exit, never a traceback."""
    from app import server

    runner = server.test_cli_runner()
    good = tmp_path / "r.csv"
    good.write_bytes(as_csv(filled(world)))
    frame = filled(world).astype(object)
    frame.loc[_row_of(frame, _young_people_all(frame)) - 2, "value"] = HUGE
    huge = tmp_path / "huge.csv"
    huge.write_bytes(as_csv(frame))
    before = store_checksum()
    for path, period, words in (
        (good, "9999/00 Q4", "from 1990/91 to 2098/99"),
        (huge, LABEL, "a count of at most 2,000,000,000"),
    ):
        result = runner.invoke(
            args=["import-return", str(path), "--workstream", str(world["ws"]),
                  "--period", period],
        )  # fmt: skip
        assert result.exit_code == 1, result.output
        assert words in result.output
        assert "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
    assert store_checksum() == before


# ------------------------------------------------------------ download names


@pytest.mark.parametrize(
    "uploaded,offered",
    [
        ("../../../../etc/passwd", "passwd.csv"),
        ("..\\..\\windows\\system32\\cmd.exe", "cmd.csv"),
        ("setup.exe", "setup.csv"),
        ("invoice\u202excs.exe", "invoicexcs.csv"),
        ("Lancashire Q2 return.csv", "Lancashire_Q2_return.csv"),
        ("café.csv", "cafe.csv"),
        ("...", None),
    ],
)
def test_a_kept_file_is_offered_under_a_safe_name(world, uploaded, offered):
    """Issue 21, finding 10: the uploaded name came back verbatim as the download
    name. The name as uploaded stays in the store as data."""
    submission_id = upload(world, as_csv(filled(world)), name=uploaded).submission_id
    name, content = submissions.submission_file(
        scope=world["lead"], submission_id=submission_id
    )
    expected = f"return-{submission_id}" + (f"-{offered}" if offered else ".csv")
    assert name == expected and content == as_csv(filled(world))
    listing = submissions.list_submissions(scope=world["lead"]).set_index(
        "submission_id"
    )
    assert listing.loc[submission_id, "download_name"] == expected
    assert listing.loc[submission_id, "filename"] == uploaded
