"""A small store for the board meeting cycle's tests, with hand-set arrivals.

Avon and Somerset (a VRU) holds:
- knife offences (success measure, quarterly, rule "none"): five flat quarters
  2023/24 Q1 to 2024/25 Q1 (100 each) from edition A (retrieved 10 Jan 2025),
  then edition B (retrieved 15 Jan 2026, later reference date) revises
  2024/25 Q1 from 100 to 110 (10%: listed) and 2023/24 Q4 from 100 to 100.5
  (0.5%: not listed), and brings four rising quarters 2024/25 Q2 to 2025/26 Q1
  (150, 200, 260, 330), new since a meeting on 1 June 2025;
- a workstream measure "referrals" (private, rule small_numbers, higher is
  better, target 50 a quarter for 2025/26): shipped illustrative figures 3
  (2025/26 Q1) and 40 (2025/26 Q2) loaded on 1 January 2025 (store_meta), then a
  return approved on 20 January 2026 revising them to 5 and 60.
Greater Manchester is a second VRU with its own workstream; Surrey is no VRU.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from data_access import db
from data_access.models import (
    Area,
    AuditLog,
    Measure,
    MeasureValue,
    Source,
    StoreMeta,
    Submission,
    Target,
    User,
    Workstream,
    WorkstreamMeasure,
)
from data_access.scope import Scope

EW, AVON, GMP, SURREY = "K04000001", "E23000036", "E23000005", "E23000031"
KNIFE, REFERRALS, GMP_MEASURE = "knife_offences", "ws_avon_referrals", "ws_gmp_sessions"
EDITION_B_DAY = dt.date(2026, 1, 15)
RETURN_APPROVED = dt.datetime(2026, 1, 20, 10, 30)


def _quarter(year: int, month: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, month, 1)
    end_month = month + 2
    end = dt.date(year, end_month + 1, 1) if end_month < 12 else dt.date(year + 1, 1, 1)
    return start, end - dt.timedelta(days=1)


KNIFE_A = [(2023, 4), (2023, 7), (2023, 10), (2024, 1), (2024, 4)]
KNIFE_NEW = [((2024, 7), 150), ((2024, 10), 200), ((2025, 1), 260), ((2025, 4), 330)]


def build() -> dict:
    """Fill the (empty, migrated) store; returns ids and the users' scopes."""
    with db.session_scope() as session:
        session.add(StoreMeta(key="loaded_at", value="2025-01-01T00:00:00"))
        edition_a = Source(
            key="a", publisher="ONS", title="Edition A", licence="OGL",
            retrieved=dt.date(2025, 1, 10), reference_date=dt.date(2024, 6, 30),
        )  # fmt: skip
        edition_b = Source(
            key="b", publisher="ONS", title="Edition B", licence="OGL",
            retrieved=EDITION_B_DAY, reference_date=dt.date(2025, 6, 30),
        )  # fmt: skip
        shipped = Source(
            key="ill", publisher="VRU", title="Illustrative", licence="none",
            illustrative=True,
        )  # fmt: skip
        returns = Source(key="ret", publisher="VRU", title="Quarterly return",
                         licence="none")  # fmt: skip
        session.add_all([edition_a, edition_b, shipped, returns])
        session.flush()
        ew = Area(code=EW, name="England and Wales", level="country")
        session.add(ew)
        session.flush()
        areas = {
            code: Area(
                code=code,
                name=name,
                level="pfa",
                parent_id=ew.id,
                is_vru=code != SURREY,
                vru_start_year=2019,
            )  # fmt: skip
            for code, name in (
                (AVON, "Avon and Somerset"),
                (GMP, "Greater Manchester"),
                (SURREY, "Surrey"),
            )
        }
        session.add_all(areas.values())
        session.flush()
        common = dict(definition="d", category="outcome", period_type="quarter")
        knife = Measure(
            code=KNIFE, name="Knife offences", unit="offences",
            polarity="lower_is_better", rate_multiplier=100000, ci_method="byar",
            disclosure_rule="none", success_measure_rank=2, is_public=True, **common,
        )  # fmt: skip
        referrals = Measure(
            code=REFERRALS, name="Referrals", unit="referrals",
            polarity="higher_is_better", ci_method="none", rate_multiplier=None,
            disclosure_rule="small_numbers", is_public=False, **common,
        )  # fmt: skip
        gmp_measure = Measure(
            code=GMP_MEASURE, name="Sessions", unit="sessions",
            polarity="higher_is_better", ci_method="none", rate_multiplier=None,
            disclosure_rule="small_numbers", is_public=False, **common,
        )  # fmt: skip
        session.add_all([knife, referrals, gmp_measure])
        session.flush()
        ws_avon = Workstream(
            vru_area_id=areas[AVON].id, name="Navigators", purpose="p",
            lead_role="Navigator lead", source_id=shipped.id,
        )  # fmt: skip
        ws_gmp = Workstream(
            vru_area_id=areas[GMP].id, name="Mentoring", purpose="p",
            lead_role="Mentoring lead", source_id=shipped.id,
        )  # fmt: skip
        session.add_all([ws_avon, ws_gmp])
        session.flush()
        session.add_all(
            [
                WorkstreamMeasure(workstream_id=ws_avon.id, measure_id=referrals.id),
                WorkstreamMeasure(workstream_id=ws_gmp.id, measure_id=gmp_measure.id),
                Target(
                    measure_id=referrals.id,
                    workstream_id=ws_avon.id,
                    period_start=dt.date(2025, 4, 1),
                    period_end=dt.date(2026, 3, 31),
                    value=50,
                    source_id=shipped.id,
                ),  # fmt: skip
            ]
        )

        def value(measure, area, ym, v, source, current=True, submission=None):
            start, end = _quarter(*ym)
            return MeasureValue(
                measure_id=measure.id, area_id=area.id, period_start=start,
                period_end=end, age_band="all", value=v, numerator=v,
                denominator=1_000_000, source_id=source.id, is_current=current,
                submission_id=submission,
            )  # fmt: skip

        avon = areas[AVON]
        rows = []
        for ym in KNIFE_A:
            revised = ym in ((2024, 4), (2024, 1))
            rows.append(value(knife, avon, ym, 100, edition_a, current=not revised))
        rows.append(value(knife, avon, (2024, 4), 110, edition_b))
        rows.append(value(knife, avon, (2024, 1), 100.5, edition_b))
        rows += [value(knife, avon, ym, v, edition_b) for ym, v in KNIFE_NEW]
        rows.append(value(referrals, avon, (2025, 4), 3, shipped, current=False))
        rows.append(value(referrals, avon, (2025, 7), 40, shipped, current=False))
        rows.append(value(gmp_measure, areas[GMP], (2025, 4), 77, shipped))
        session.add_all(rows)
        submission = Submission(
            kind="return", workstream_id=ws_avon.id, period_start=dt.date(2025, 7, 1),
            filename="r.csv", content=b"x", sha256="0" * 64, status="approved",
        )  # fmt: skip
        session.add(submission)
        session.flush()
        session.add_all(
            [
                value(referrals, avon, (2025, 4), 5, returns, submission=submission.id),
                value(
                    referrals, avon, (2025, 7), 60, returns, submission=submission.id
                ),
                AuditLog(
                    actor="VRU Admin",
                    action="approve_return",
                    entity="submission",
                    entity_id=str(submission.id),
                    at=RETURN_APPROVED,
                ),  # fmt: skip
            ]
        )
        ids = {"avon_ws": ws_avon.id, "gmp_ws": ws_gmp.id}
    # Users are stored without a usable password (no sign-in here, and hashing
    # seven passwords took 3.5 s a test); their scopes are as users.py builds
    # them: a lead's areas are their workstream's VRU.
    accounts = {
        "admin": ("admin", (), None),
        "admin2": ("admin", (), None),
        "analyst": ("analyst", (), None),
        "avon-viewer": ("viewer", (AVON,), None),
        "gmp-viewer": ("viewer", (GMP,), None),
        "avon-lead": ("lead", (AVON,), ids["avon_ws"]),
        "gmp-lead": ("lead", (GMP,), ids["gmp_ws"]),
    }
    scopes = {}
    with db.session_scope() as session:
        for name, (role, areas, workstream_id) in accounts.items():
            user = User(
                username=f"t-{name}",
                role_title=f"Title {name}",
                role=role,
                password_hash="!",
                workstream_id=workstream_id,
            )
            session.add(user)
            session.flush()
            scopes[name] = Scope(
                role=role,
                area_codes=frozenset(areas),
                workstream_id=workstream_id,
                user_id=user.id,
                actor=user.role_title,
            )
    return {**ids, "scopes": scopes}


def area_id(code: str) -> int:
    with db.session_scope() as session:
        return session.scalar(select(Area.id).where(Area.code == code))
