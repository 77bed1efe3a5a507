"""The small store the proportion tests share: a test Source, England and Wales
and three force areas, for hand-worked pooling and disclosure figures."""

from __future__ import annotations

from data_access.models import Area, Source

EW = "K04000001"
AVON = "E23000036"
SURREY = "E23000031"
GMP = "E23000005"
FORCE_NAMES = {AVON: "Avon and Somerset", SURREY: "Surrey", GMP: "Greater Manchester"}


def add_three_forces(session, *, vru: bool = False) -> tuple[Source, dict[str, Area]]:
    """Add the Source and the areas (keyed by code, England and Wales included);
    with `vru`, Avon and Greater Manchester are VRU areas funded from 2019/20."""
    source = Source(key="test", publisher="Test", title="Test", licence="OGL")
    session.add(source)
    session.flush()
    ew = Area(code=EW, name="England and Wales", level="country")
    session.add(ew)
    session.flush()
    areas = {EW: ew}
    for code, name in FORCE_NAMES.items():
        funded = vru and code != SURREY
        areas[code] = Area(
            code=code,
            name=name,
            level="pfa",
            parent_id=ew.id,
            **({"is_vru": True, "vru_start_year": 2019} if funded else {}),
        )
    session.add_all(list(areas.values())[1:])
    session.flush()
    return source, areas


def measure_fields(source: Source, *, disclosure_rule: str, **fields) -> dict:
    """The Measure fields the tests do not vary (quarterly, lower is better)."""
    return dict(
        definition="d",
        polarity="lower_is_better",
        category="outcome",
        period_type="quarter",
        disclosure_rule=disclosure_rule,
        source_id=source.id,
        **fields,
    )
