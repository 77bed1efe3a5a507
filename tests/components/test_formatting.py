"""Number formatting: GOV.UK money style, half-up rounding, placeholders."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from components.formatting import (
    DASH,
    SUPPRESSED,
    is_missing,
    is_suppressed,
    money,
    number,
    percent,
    rate,
    signed_percent,
)


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (1_160_000, "£1.16m"),
        (3_370_000, "£3.37m"),
        (5_080_000, "£5.08m"),
        (1_000_000, "£1m"),
        (1_500_000, "£1.5m"),
        (1_005_000, "£1.01m"),  # half-up, not banker's rounding
        (2_500_000_000, "£2,500m"),
        (880_000, "£880,000"),
        (524_000, "£524,000"),
        (233_000, "£233,000"),
        (1_000, "£1,000"),
        (999_999.6, "£1m"),  # the band is chosen after rounding
        (524, "£524"),
        (0, "£0"),
        (-1_160_000, "-£1.16m"),
        (-5_000, "-£5,000"),
        (-0.2, "£0"),  # never "-£0"
        (np.int64(880_000), "£880,000"),
        ("1160000", "£1.16m"),
    ],
)
def test_money_uses_millions_from_one_million_and_whole_pounds_below(amount, expected):
    assert money(amount) == expected


def test_money_with_pence_shows_pence_only_for_unit_costs():
    assert money(12.5, pence=True) == "£12.50"
    assert money(12.5) == "£13"
    assert money(880_000, pence=True) == "£880,000"


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (1234, 0, "1,234"),
        (1234.5, 0, "1,235"),
        (2.25, 1, "2.3"),  # half-up
        (2.675, 2, "2.68"),  # decimal half-up, though 2.675 is 2.67499... in binary
        (-1234.56, 1, "-1,234.6"),
        (-0.04, 1, "0.0"),  # never "-0.0"
        (1_000_000, 0, "1,000,000"),
        (np.float64(52.06), 1, "52.1"),
    ],
)
def test_number_groups_thousands_and_rounds_half_up(value, decimals, expected):
    assert number(value, decimals) == expected


def test_rate_defaults_to_one_decimal_place():
    assert rate(52.06) == "52.1"
    assert rate(52) == "52.0"
    assert rate(52.06, 2) == "52.06"


def test_percent_takes_a_percentage_or_with_fraction_a_proportion():
    assert percent(19) == "19.0%"
    assert percent(0.19, fraction=True) == "19.0%"
    assert percent(18.65, 0) == "19%"


def test_signed_percent_shows_the_direction_of_a_change():
    assert signed_percent(18.65, 0) == "+19%"
    assert signed_percent(-5) == "-5.0%"
    assert signed_percent(0.01) == "0.0%"  # a change that rounds to zero is unsigned
    assert signed_percent(0.05, fraction=True) == "+5.0%"


@pytest.mark.parametrize(
    "formatter",
    [money, number, rate, percent, signed_percent],
    ids=lambda f: f.__name__,
)
@pytest.mark.parametrize(
    "missing", [None, math.nan, pd.NA, pd.NaT, np.float32("nan"), ""]
)
def test_missing_values_show_a_dash_never_nan(formatter, missing):
    assert formatter(missing) == DASH


@pytest.mark.parametrize(
    "formatter",
    [money, number, rate, percent, signed_percent],
    ids=lambda f: f.__name__,
)
def test_suppressed_values_stay_suppressed(formatter):
    assert formatter(SUPPRESSED) == "*"


def test_placeholders():
    assert DASH == "–"
    assert SUPPRESSED == "*"
    assert is_missing(None) and is_missing(math.nan) and is_missing(pd.NA)
    assert not is_missing(0) and not is_missing("*")
    assert is_suppressed("*") and not is_suppressed("5")


def test_text_that_is_not_a_number_is_an_error_not_a_silent_blank():
    with pytest.raises(ValueError):
        number("lots")
    with pytest.raises(TypeError):
        number(True)


def test_data_access_sentences_write_money_by_the_same_rule():
    """trends' sentences ("Spend was £1.5m in ...") and every table and tile use one
    rule: the old sentence formatter wrote "£1.50m" and rounded 2,674.5 half-even
    to "£2,674"."""
    from data_access.number_format import money_text

    assert money_text(1_500_000) == money(1_500_000) == "£1.5m"
    assert money_text(2674.5) == money(2674.5) == "£2,675"
    for amount in (0, 0.4, 999.5, 999_999.6, 1_005_000, -5_000, 12.5):
        assert money_text(amount) == money(amount)


def test_money_of_a_float_is_the_money_rule_however_often_asked():
    """money() keeps each plain float's text (a page writes the same amounts
    several times): asked again, and for floats of every size and sign, with
    and without pence, it says what the one money rule says."""
    import random

    from data_access.number_format import money_text

    rng = random.Random(19)
    amounts = [0.0, -0.0, 0.004, -0.004, 999.995, 1_000_000.0, -5_000.0, 12.5]
    amounts += [rng.uniform(-1, 1) * 10 ** rng.randint(0, 10) for _ in range(2000)]
    for _ in range(2):  # the second time from what was kept
        for amount in amounts:
            for pence in (False, True):
                assert money(amount, pence=pence) == money_text(amount, pence=pence)
