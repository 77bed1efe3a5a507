"""The activity readers' reads of output_summary and spend_summary are answered
from their indexes alone on PostgreSQL (migration 0018): pk_output_summary
INCLUDEs `value` and ix_spend_summary_lookup the columns its readers take, and
the scale generator VACUUMs both tables, so their visibility maps are set and an
index only scan fetches nothing from the table (issue 19: at ten million output
rows a VRU's 3,000 summary rows lay on 740 of the table's 1,060 pages, 5.5-11.7
ms of PostgreSQL per /prevention click)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from data_access import db, scale
from data_access.activity import area_activity, reach_rule, tier_activity

QUERIES = {
    "reach": reach_rule._outputs_query,
    "breakdown": area_activity._area_breakdown_query,
    "totals": area_activity._area_totals_query,
    "tiers": tier_activity._tier_summary_query,
}


def _plan(connection, statement) -> str:
    sql = str(
        statement.compile(
            dialect=connection.dialect, compile_kwargs={"literal_binds": True}
        )
    )
    return "\n".join(
        row[0]
        for row in connection.execute(
            text("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) " + sql)
        )
    )


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_summary_reads_are_index_only(store, name):
    if not store.startswith("postgresql"):
        pytest.skip("INCLUDE and the plan checked are PostgreSQL's")
    scale.generate_scale(rows=2_000)
    with db.get_engine().connect() as connection:
        assert connection.execute(
            text(
                "SELECT bool_and(relallvisible = relpages AND relpages > 0) "
                "FROM pg_class WHERE relname IN ('output_summary', 'spend_summary')"
            )
        ).scalar_one(), "the scale generator leaves the visibility maps set"
        # the VRU with most summary rows (the generator spreads them over all)
        area = connection.execute(
            text(
                "SELECT a.code FROM output_summary o JOIN area a "
                "ON a.id = o.vru_area_id GROUP BY a.code ORDER BY count(*) DESC, "
                "a.code LIMIT 1"
            )
        ).scalar_one()
        # A small store: sequential and bitmap reads priced out, so that the
        # choice left is between an index scan (which visits the table) and an
        # index only scan, which the planner can take only if the index covers
        # every column the read uses.
        connection.execute(text("SET enable_seqscan = off"))
        connection.execute(text("SET enable_bitmapscan = off"))
        plan = _plan(connection, QUERIES[name](area, None, None, None))
    lines = plan.splitlines()
    reads = [
        number
        for number, line in enumerate(lines)
        if " on output_summary" in line or " on spend_summary" in line
    ]
    assert reads, plan
    for number in reads:
        line = lines[number]
        assert "Index Only Scan using " in line, plan
        assert "pk_output_summary" in line or "ix_spend_summary_lookup" in line, plan
        # the node's own details, up to the next node
        details = []
        for detail in lines[number + 1 :]:
            if "->" in detail:
                break
            details.append(detail.strip())
        assert "Heap Fetches: 0" in details, plan
        # and it read rows: a plan over nothing would prove nothing
        assert "(actual rows=0 " not in line, plan
