"""The store: SQLAlchemy 2.x models for every entity in DESIGN.md.

Conventions
- Natural keys carry unique constraints so a figure cannot be stored twice.
- Figures that can be revised (measure values, outputs, spend) carry `is_current`:
  a partial unique index allows one current row per natural key, while superseded
  editions and submissions stay in the store, viewable and restorable.
- Every figure points at a `Source`; `Source.illustrative` marks generated figures.
- Money is stored in pounds as Numeric(14, 2); periods as first and last day.
- People appear only as role titles; there is no column for a personal name or e-mail.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from data_access.periods import months_spanned

AREA_LEVELS = ("country", "region", "pfa", "lad")
TIERS = ("primary", "secondary", "tertiary")
POLARITIES = ("lower_is_better", "higher_is_better", "no_judgement")
CATEGORIES = ("outcome", "output", "finance")
CI_METHODS = ("byar", "wilson", "none")
PERIOD_TYPES = ("quarter", "financial_year", "rolling_year")
COVERAGE_ENGLAND_AND_WALES = "England and Wales"
COVERAGES = (COVERAGE_ENGLAND_AND_WALES, "England")
VALUE_STATUSES = ("provisional", "final")
PRECISIONS = ("exact", "rounded", "approx", "up_to", "more_than")
ROLES = ("admin", "analyst", "viewer", "lead")
SUBMISSION_STATUSES = ("draft", "submitted", "approved", "returned", "superseded")
OUTPUT_TYPES = (
    "young_people_supported",
    "referrals",
    "sessions",
    "completions",
    "staff_trained",
)


def _one_of(column: str, values: tuple[str, ...]) -> CheckConstraint:
    quoted = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IN ({quoted})", name=column)


def _current_unique(name: str, *columns: str) -> Index:
    """One current row per natural key; superseded rows may share it."""
    return Index(
        name,
        *columns,
        unique=True,
        sqlite_where=text("is_current = 1"),
        postgresql_where=text("is_current"),
    )


def _period_months_default(context) -> int:  # noqa: ANN001
    params = context.get_current_parameters()
    return months_spanned(params["period_start"], params["period_end"])


class Base(DeclarativeBase):
    # Named constraints so Alembic can alter them on both SQLite and PostgreSQL.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class Source(Base):
    """Where a figure came from. `illustrative` marks generated, non-official data."""

    __tablename__ = "source"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    publisher: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(400))
    url: Mapped[str | None] = mapped_column(String(600))
    licence: Mapped[str] = mapped_column(String(120))
    retrieved: Mapped[dt.date | None] = mapped_column(Date)
    edition: Mapped[str | None] = mapped_column(String(80))
    # The last day of the period an edition of a periodical publication reports on
    # (ONS "year ending December 2019": 31 Dec 2019). A later edition's figure
    # supersedes an earlier one's by this date, whatever the order of loading.
    reference_date: Mapped[dt.date | None] = mapped_column(Date)
    illustrative: Mapped[bool] = mapped_column(Boolean, default=False)
    # Lower ranks win when published figures disagree (see funding precedence).
    precedence: Mapped[int] = mapped_column(Integer, default=50)
    notes: Mapped[str | None] = mapped_column(Text)


class Area(Base):
    """England and Wales, regions, police force areas (the VRU level) and LADs."""

    __tablename__ = "area"
    __table_args__ = (_one_of("level", AREA_LEVELS),)
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    level: Mapped[str] = mapped_column(String(10), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), index=True)
    is_vru: Mapped[bool] = mapped_column(Boolean, default=False)
    # First year of the financial year VRU funding began (2019 means 2019/20).
    vru_start_year: Mapped[int | None] = mapped_column(Integer)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("source.id"))

    parent: Mapped[Area | None] = relationship(remote_side=[id])


class Population(Base):
    """Mid-year population estimates: the denominators for rates."""

    __tablename__ = "population"
    __table_args__ = (UniqueConstraint("area_id", "mid_year", "age_band"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    mid_year: Mapped[int] = mapped_column(Integer)
    age_band: Mapped[str] = mapped_column(String(12))
    value: Mapped[int] = mapped_column(Integer)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id"))


class Measure(Base):
    """A measure's definition and metadata; shown as the definitions page."""

    __tablename__ = "measure"
    __table_args__ = (
        _one_of("polarity", POLARITIES),
        _one_of("category", CATEGORIES),
        _one_of("ci_method", CI_METHODS),
        _one_of("period_type", PERIOD_TYPES),
        _one_of("coverage", COVERAGES),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # The few words charts and sentences call it ("Knife homicides"); NULL where
    # the name itself is short enough (measure records then carry the name).
    short_name: Mapped[str | None] = mapped_column(String(80))
    definition: Mapped[str] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(String(40))
    polarity: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(10))
    tier: Mapped[str | None] = mapped_column(String(10))
    # 100,000 for most rates, 1,000,000 for homicide; NULL when no rate is shown.
    rate_multiplier: Mapped[int | None] = mapped_column(Integer)
    ci_method: Mapped[str] = mapped_column(String(10), default="byar")
    # Disclosure rule name understood by data_access.disclosure (e.g. "hes").
    disclosure_rule: Mapped[str] = mapped_column(String(20), default="none")
    period_type: Mapped[str] = mapped_column(String(20))
    caveats: Mapped[str | None] = mapped_column(Text)
    # 1-3 for the Home Office success measures, in their published order.
    success_measure_rank: Mapped[int | None] = mapped_column(Integer)
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("source.id"))
    # Where the figures are published for, and so the benchmark's name: HES covers
    # England only ("England"); police recorded crime England and Wales.
    coverage: Mapped[str] = mapped_column(
        String(20),
        default=COVERAGE_ENGLAND_AND_WALES,
        server_default=COVERAGE_ENGLAND_AND_WALES,
    )


class Workstream(Base):
    """A VRU's strand of work, with purpose, lead role and outcomes."""

    __tablename__ = "workstream"
    __table_args__ = (UniqueConstraint("vru_area_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    vru_area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    name: Mapped[str] = mapped_column(String(160))
    purpose: Mapped[str] = mapped_column(Text)
    lead_role: Mapped[str] = mapped_column(String(160))
    outcomes: Mapped[str | None] = mapped_column(Text)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id"))


class Intervention(Base):
    __tablename__ = "intervention"
    __table_args__ = (
        UniqueConstraint("vru_area_id", "name"),
        _one_of("tier", TIERS),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    vru_area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    tier: Mapped[str] = mapped_column(String(10), index=True)
    workstream_id: Mapped[int | None] = mapped_column(ForeignKey("workstream.id"))
    # The local authority (spoke) that delivers it, or the force area itself.
    delivering_area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    provider: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    # e.g. an Early Intervention Foundation / YEF toolkit style rating.
    evidence_rating: Mapped[str | None] = mapped_column(String(60))
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id"))


class Submission(Base):
    """A returned file: kept raw with its checksum, validated as a whole."""

    __tablename__ = "submission"
    __table_args__ = (_one_of("status", SUBMISSION_STATUSES),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # "return" or "ons_workbook"
    workstream_id: Mapped[int | None] = mapped_column(ForeignKey("workstream.id"))
    period_start: Mapped[dt.date | None] = mapped_column(Date)
    filename: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())
    status: Mapped[str] = mapped_column(String(12), default="draft")
    errors: Mapped[str | None] = mapped_column(Text)  # JSON list of problems
    comment: Mapped[str | None] = mapped_column(Text)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("submission.id"))
    source_id: Mapped[int | None] = mapped_column(ForeignKey("source.id"))


class MeasureValue(Base):
    """One figure of a measure for an area, period and age band."""

    __tablename__ = "measure_value"
    __table_args__ = (
        _current_unique(
            "uq_measure_value_current",
            "measure_id",
            "area_id",
            "period_start",
            "period_end",
            "age_band",
        ),
        UniqueConstraint(
            "measure_id",
            "area_id",
            "period_start",
            "period_end",
            "age_band",
            "source_id",
            "submission_id",
            name="uq_measure_value_edition",
        ),
        Index(
            "ix_measure_value_lookup",
            "measure_id",
            "area_id",
            "period_months",
            "age_band",
            "period_start",
        ),
        # A measure's latest current figure ("last updated", and the shell's
        # "Data as at" period: the latest end, then the latest start) in one
        # index probe, however many values the store holds.
        Index(
            "ix_measure_value_current_latest",
            "measure_id",
            "period_end",
            "period_start",
            sqlite_where=text("is_current = 1"),
            postgresql_where=text("is_current"),
        ),
        _one_of("status", VALUE_STATUSES),
        _one_of("precision", PRECISIONS),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id"))
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    # Derived from the dates on insert so queries pick quarters (3) or years (12)
    # through an index instead of computing date arithmetic per row.
    period_months: Mapped[int] = mapped_column(Integer, default=_period_months_default)
    age_band: Mapped[str] = mapped_column(String(12), default="all")
    value: Mapped[float | None] = mapped_column(Float)
    numerator: Mapped[float | None] = mapped_column(Float)
    denominator: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(12), default="final")
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id"), index=True)
    # Indexed: approving or superseding a return flips its rows by submission.
    submission_id: Mapped[int | None] = mapped_column(
        ForeignKey("submission.id"), index=True
    )
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str | None] = mapped_column(Text)
    # What an aggregate covers when it is less than its area, shown as its name
    # ("England and Wales excluding Greater Manchester"); its denominator is the
    # population of that coverage. NULL: the whole area.
    coverage: Mapped[str | None] = mapped_column(String(200))
    # As published: "approx" ("nearly 47,000") is shown as "about 47,000" with no
    # confidence interval; "rounded" was rounded by its source (the funding
    # vocabulary, PRECISIONS).
    precision: Mapped[str] = mapped_column(
        String(10), default="exact", server_default="exact"
    )


def covered_area_name():  # noqa: ANN201 - a SQL expression
    """The name of what a measure value covers: its coverage when it covers less
    than its area ("England and Wales excluding Greater Manchester"), else the
    area's name. Every query that names a figure's area uses this."""
    return func.coalesce(MeasureValue.coverage, Area.name)


class InterventionOutput(Base):
    """Quarterly outputs of an intervention (young people supported, ...)."""

    __tablename__ = "intervention_output"
    __table_args__ = (
        _current_unique(
            "uq_intervention_output_current",
            "intervention_id",
            "period_start",
            "output_type",
            "age_band",
        ),
        _one_of("output_type", OUTPUT_TYPES),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    intervention_id: Mapped[int] = mapped_column(
        ForeignKey("intervention.id"), index=True
    )
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    output_type: Mapped[str] = mapped_column(String(30))
    age_band: Mapped[str] = mapped_column(String(12), default="all")
    value: Mapped[int] = mapped_column(Integer)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id"))
    # Indexed: approving or superseding a return flips its rows by submission.
    submission_id: Mapped[int | None] = mapped_column(
        ForeignKey("submission.id"), index=True
    )
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)


class FundingAllocation(Base):
    """A published allocation. Conflicting figures are all kept; `is_preferred`
    marks the one chosen by the precedence rule in data_access.money.precedence."""

    __tablename__ = "funding_allocation"
    __table_args__ = (
        UniqueConstraint(
            "area_id",
            "financial_year",
            "funder",
            "programme",
            "intervention_id",
            "source_id",
            name="uq_funding_allocation",
        ),
        _one_of("precision", PRECISIONS),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    financial_year: Mapped[int] = mapped_column(Integer)  # 2019 means 2019/20
    funder: Mapped[str] = mapped_column(String(80))
    programme: Mapped[str] = mapped_column(String(120))
    intervention_id: Mapped[int | None] = mapped_column(ForeignKey("intervention.id"))
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    amount_as_published: Mapped[str | None] = mapped_column(String(80))
    precision: Mapped[str] = mapped_column(String(10), default="exact")
    is_preferred: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str | None] = mapped_column(Text)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id"))


class Spend(Base):
    """Spend by area, intervention, financial year and quarter."""

    __tablename__ = "spend"
    __table_args__ = (
        _current_unique(
            "uq_spend_current",
            "area_id",
            "intervention_id",
            "financial_year",
            "quarter",
        ),
        CheckConstraint("quarter BETWEEN 1 AND 4", name="quarter"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    intervention_id: Mapped[int | None] = mapped_column(
        ForeignKey("intervention.id"), index=True
    )
    financial_year: Mapped[int] = mapped_column(Integer)
    quarter: Mapped[int] = mapped_column(Integer)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id"))
    # Indexed: approving or superseding a return flips its rows by submission.
    submission_id: Mapped[int | None] = mapped_column(
        ForeignKey("submission.id"), index=True
    )
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)


class OutputSummary(Base):
    """Current intervention outputs summed by VRU, delivering area, tier, quarter,
    output type, age band and whether the source is illustrative.

    The prevention and overview readers aggregate this instead of the raw rows, so
    their cost is bounded by areas x tiers x quarters x types (not by the number of
    interventions or returns). It holds only what can be derived from
    `intervention_output` (is_current rows) joined to `intervention` and `source`;
    activity.summaries rebuilds a VRU's rows in the same transaction as every
    write that changes them, so a rolled-back write leaves it unchanged too."""

    __tablename__ = "output_summary"
    # The primary key doubles as the readers' index: VRU first, then the output
    # type, band and quarter that reach-over-time filters on. On PostgreSQL it
    # INCLUDEs `value`, so the readers never visit the table (an index only scan,
    # migration 0018).
    __table_args__ = (
        PrimaryKeyConstraint(
            "vru_area_id",
            "output_type",
            "age_band",
            "period_start",
            "delivering_area_id",
            "tier",
            "illustrative",
            name="pk_output_summary",
            postgresql_include=["value"],
        ),
    )
    vru_area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    output_type: Mapped[str] = mapped_column(String(30))
    age_band: Mapped[str] = mapped_column(String(12))
    period_start: Mapped[dt.date] = mapped_column(Date)
    delivering_area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    tier: Mapped[str] = mapped_column(String(10))
    illustrative: Mapped[bool] = mapped_column(Boolean)
    value: Mapped[int] = mapped_column(BigInteger)


class SpendSummary(Base):
    """Current spend summed by force area, delivering area, tier, financial year,
    quarter and whether the source is illustrative (see OutputSummary).

    `tier` and `delivering_area_id` are NULL for the core unit (spend not assigned
    to an intervention), which is why this table has a surrogate key."""

    __tablename__ = "spend_summary"
    # The readers' columns INCLUDEd on PostgreSQL: index only scans (0018).
    __table_args__ = (
        Index(
            "ix_spend_summary_lookup",
            "area_id",
            "financial_year",
            "quarter",
            postgresql_include=["delivering_area_id", "tier", "illustrative", "amount"],
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    delivering_area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    tier: Mapped[str | None] = mapped_column(String(10))
    financial_year: Mapped[int] = mapped_column(Integer)
    quarter: Mapped[int] = mapped_column(Integer)
    illustrative: Mapped[bool] = mapped_column(Boolean)
    amount: Mapped[Decimal] = mapped_column(Numeric(16, 2))


class Target(Base):
    """A target for a measure, for an area or a workstream, over a period."""

    __tablename__ = "target"
    __table_args__ = (
        UniqueConstraint(
            "measure_id", "area_id", "workstream_id", "period_start", name="uq_target"
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id"))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    workstream_id: Mapped[int | None] = mapped_column(ForeignKey("workstream.id"))
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    value: Mapped[float] = mapped_column(Float)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id"))


class WorkstreamMeasure(Base):
    """Which measures a workstream reports against."""

    __tablename__ = "workstream_measure"
    workstream_id: Mapped[int] = mapped_column(
        ForeignKey("workstream.id"), primary_key=True
    )
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id"), primary_key=True)


class User(Base):
    """A person who signs in, known by a user name and role title only."""

    __tablename__ = "app_user"
    __table_args__ = (_one_of("role", ROLES),)
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    role_title: Mapped[str] = mapped_column(String(160))
    role: Mapped[str] = mapped_column(String(10))
    password_hash: Mapped[str] = mapped_column(String(255))
    # A lead's scope: the one workstream whose returns they submit.
    workstream_id: Mapped[int | None] = mapped_column(ForeignKey("workstream.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Sessions carry the version they signed in under; sign-out, disabling, a role
    # change and a password reset add one, which ends every session at once.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())


class UserArea(Base):
    """A viewer's scope: the areas (force areas) they may read."""

    __tablename__ = "user_area"
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), primary_key=True)


class SignInCounter(Base):
    """A sign-in limit's count in its window (data_access/users.py), kept in the
    store so the limits hold across workers when there is no Redis."""

    __tablename__ = "sign_in_counter"
    key: Mapped[str] = mapped_column(String(400), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)


class AuditLog(Base):
    """Every change to the store: who, when, what, before and after (JSON)."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    actor: Mapped[str] = mapped_column(String(120))  # role title or "system"
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(60))
    entity_id: Mapped[str | None] = mapped_column(String(60))
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)


class StoreMeta(Base):
    """Key/value facts about the store: load time, data version for cache keys."""

    __tablename__ = "store_meta"
    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(String(400))


# Tables kept in their own modules, imported so that the metadata is complete.
from data_access import (  # noqa: E402,F401
    alert_models,
    annotation_models,
    board_models,
    comparator_models,
    pack_models,
)
