"""benchmarks.report says which entries of results.json an earlier run left:
`benchmarks.run --phases` keeps the entries of phases it skips, and an older
run's Lighthouse block was once reported as the new run's."""

from __future__ import annotations

from benchmarks import report, run


def test_entries_from_before_the_run_are_marked():
    results = {
        "date": "2026-12-05T15:00:00+00:00",
        "demo_clicks_nullcache": {"measured_at": "2026-12-05T15:03:10+00:00"},
        "demo_page_weight": {"measured_at": "2026-12-04T13:50:00+00:00"},
        "pg_100000_clicks_redis": {},  # written before entries were stamped
        "settings": {"clients": 20},  # not a phase's entry
    }
    rows = {row.split(" | ")[0].strip("| "): row for row in report.measured(results)}
    assert "earlier run" not in rows["demo_clicks_nullcache"]
    assert "earlier run" in rows["demo_page_weight"]
    assert "earlier run" in rows["pg_100000_clicks_redis"]
    assert "settings" not in rows


def test_a_stamped_entry_says_when_and_at_which_commit():
    entry = run.stamped({"total": {}})
    assert entry["measured_at"][:4].isdigit()
    assert "commit" in entry  # None outside a git checkout
