"""The table (and CSV) behind a trend chart of /violence: one row per period and
series, exactly what the chart shows. Pure presentation.
"""

from __future__ import annotations

import pandas as pd

from components.formatting import count_text


def per_words(measure) -> str:
    """'per 100,000 residents', or '%' for a percentage."""
    if pd.notna(measure["rate_multiplier"]) and measure["rate_multiplier"]:
        return f"per {int(measure['rate_multiplier']):,} residents"
    return "%"


def count_values(frame: pd.DataFrame, measure) -> list:
    """What a table heads "Count" for each row of `frame` (value, numerator):
    the value itself for a count, and for a percentage the count it is a
    percentage of (its numerator; None where it was stored without one), never
    the percentage rounded to a whole number (4.8% shown as a count of "5").
    A percentage is a measure in "%" (as the embeds and figure words decide),
    not any measure without a rate multiplier, as `per_words` has it."""
    column = "numerator" if measure["unit"] == "%" else "value"
    return frame[column].tolist()


def trend_table(series: pd.DataFrame, measure: dict) -> pd.DataFrame:
    """The chart's table (and CSV): one row per period and series."""
    per = per_words(measure)
    rate_name = "Percentage" if per == "%" else f"Rate {per}"

    def shown(values, suppressed, digits):
        return [
            "*" if s else (round(float(v), digits) if pd.notna(v) else None)
            for v, s in zip(values, suppressed, strict=True)
        ]

    sup = series["suppressed"].astype(bool).tolist()
    # an approximate count is said as such; the others stay numbers for the CSV
    counts = [
        count_text(v, p) if p == "approx" and isinstance(v, float) else v
        for v, p in zip(
            shown(count_values(series, measure), sup, 0),
            series["precision"],
            strict=True,
        )
    ]
    return pd.DataFrame(
        {
            "Period": series["period"].tolist(),
            "Area": series["area_name"].tolist(),
            "Count": counts,
            rate_name: shown(series["rate"], sup, 2),
            "Lower 95% CI": shown(series["rate_lower"], sup, 2),
            "Upper 95% CI": shown(series["rate_upper"], sup, 2),
            "Compared with benchmark (95%)": [
                c if c else "benchmark" for c in series["comparison"].fillna("")
            ],
            "Status": series["status"].tolist(),
            "Source": series["source_title"].tolist(),
            "Illustrative": [
                "Illustrative data" if i else "No"
                for i in series["illustrative"].astype(bool)
            ],
        }
    )


__all__ = ["count_values", "per_words", "trend_table"]
