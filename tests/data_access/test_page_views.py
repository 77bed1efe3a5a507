"""The pure parts of the /funding and /prevention composite views, on
hand-worked figures: a plan's shares by tier and a financial year's part-year
words at a fixed clock."""

from __future__ import annotations

import pandas as pd

from data_access.activity.prevention_views import plan_summary
from data_access.money.funding_views import year_view


def test_plan_summary_shares_by_tier():
    plan = pd.DataFrame(
        {
            "tier": ["tertiary", "primary", "primary"],
            "year_label": ["2019/20", "2019/20", "2020/21"],
            "planned": [30_000.0, 50_000.0, 20_000.0],
            "source_title": ["Plan A", "Plan A", "Plan B"],
        }
    )
    summary = plan_summary(plan)
    assert summary["total"] == 100_000.0
    assert summary["years"] == ["2019/20", "2020/21"]
    assert summary["sources"] == ["Plan A", "Plan B"]
    by_tier = summary["by_tier"].set_index("tier")
    # primary 50,000 + 20,000 = 70,000 of 100,000; tertiary 30,000 of 100,000
    assert by_tier.loc["primary", "planned"] == 70_000.0
    assert by_tier.loc["primary", "share"] == 0.7
    assert by_tier.loc["tertiary", "share"] == 0.3
    assert plan_summary(plan.iloc[0:0]) is None


def test_year_view_marks_the_running_year(monkeypatch):
    monkeypatch.setenv("VRU_AS_AT", "2025-11-22")  # 2025/26 Q1-Q2 over
    running = year_view(2025)
    assert running["long_label"] == "2025/26 (part year: Q1\u2013Q2)"
    assert running["status"] == "Part year (Q1\u2013Q2)"
    whole = year_view(2024)
    assert (whole["long_label"], whole["part"], whole["status"]) == (
        "2024/25",
        None,
        "Full year",
    )
