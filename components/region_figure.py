"""A headline's figures in words (the overview's cards), and the English
region's published figure shown beside an area that has none of its own or only
older ones (the overview's cards and the area profile; issue 17).

The region is a coarser geography: every place that shows it says so in words,
names the region and says whose figure it is not. Pure presentation: the figures
come from `data_access.outcomes.headlines` (`measure_headline`,
`region_headline`).
"""

from __future__ import annotations

from typing import Any

from dash import html

from components.formatting import is_missing, number, rate


def rate_text(head: dict[str, Any]) -> str:
    """'3.5 per 100,000 people (95% CI 3.0 to 4.0)', or why there is none."""
    if head["suppressed"]:
        return "Rate not shown: the count is too small to publish."
    if is_missing(head["rate"]):
        return ""
    multiplier = head["rate_multiplier"]
    per = f"{int(multiplier):,}" if not is_missing(multiplier) and multiplier else ""
    return (
        f"{rate(head['rate'])} per {per} people "
        f"(95% CI {rate(head['rate_lower'])} to {rate(head['rate_upper'])})"
    )


def region_heading(region: dict[str, Any]) -> str:
    """'Region: London, a coarser geography than the force area'."""
    return (
        f"Region: {region['region_name']}, a coarser geography than the "
        f"{region['coarser_than']}"
    )


def region_words(region: dict[str, Any], area_name: str) -> str:
    """Why the region's figure is shown, and that it is not the area's own."""
    own = region["own_period"]
    why = (
        f"{area_name} has no published figure for this measure"
        if own is None
        else f"{area_name}'s latest published figure is for {own}"
    )
    return (
        f"{why}, so the latest published figure for the {region['region_name']} "
        f"region ({region['period']}) is shown beside it. It counts everyone in "
        f"the region, not {area_name} alone."
    )


def region_figure_text(region: dict[str, Any]) -> str:
    """'845 admissions in 2021/22; 9.6 per 100,000 people (95% CI ...)'."""
    value = "*" if region["suppressed"] else number(region["value"])
    rate_line = rate_text(region)
    return f"{value} {region['unit']} in {region['period']}" + (
        f"; {rate_line}" if rate_line else ""
    )


def region_part(
    region: dict[str, Any], area_name: str, *, heading: type = html.H4
) -> html.Div:
    """The region's figure with its heading, why it is shown and its source."""
    return html.Div(
        [
            heading(region_heading(region), className="region-heading"),
            html.P(region_figure_text(region), className="region-figure"),
            html.P(region_words(region, area_name), className="region-words"),
            html.P(f"Source: {region['source_title']}", className="source"),
        ],
        className="region-figure-part",
    )


__all__ = [
    "rate_text",
    "region_figure_text",
    "region_heading",
    "region_part",
    "region_words",
]
