"""figure_layout.written_once: a chart's formatter that writes each distinct
value once (issue 19) gives the text the formatter gives, value for value, and
calls it once per distinct value."""

from __future__ import annotations

import math
import random
from decimal import Decimal

import numpy as np

from components.figure_layout import written_once
from components.formatting import number, rate


def _values(rng: random.Random) -> list:
    pool = [
        None,
        math.nan,
        np.nan,
        "*",
        "",
        True,
        0,
        -0.0,
        0.05,
        0.15,
        2.675,
        1,
        1.0,
        Decimal("1.0"),
        np.float64(1.25),
        np.int64(7),
        [1],  # unhashable
    ]
    out = []
    for _ in range(200):
        roll = rng.random()
        if roll < 0.4:
            out.append(rng.choice(pool))
        elif roll < 0.8:
            out.append(round(rng.uniform(-500, 500000), rng.randint(0, 4)))
        else:
            out.append(rng.randint(-1000, 10**7))
    return out


def test_written_once_is_the_formatter_value_for_value():
    for seed in range(200):
        rng = random.Random(seed)
        values = _values(rng)
        for formatter in (rate, lambda v: rate(v, 1), number):
            once = written_once(formatter)

            def safe(f, v):
                try:
                    return f(v)
                except (TypeError, ValueError) as error:
                    return type(error)

            assert [safe(once, v) for v in values] == [
                safe(formatter, v) for v in values
            ]


def test_each_distinct_value_is_written_once():
    calls = []

    def formatter(v):
        calls.append(v)
        return rate(v, 1)

    once = written_once(formatter)
    texts = [once(v) for v in (52.06, 52.06, 3.0, 52.06, 3.0)]
    assert texts == ["52.1", "52.1", "3.0", "52.1", "3.0"]
    assert calls == [52.06, 3.0]
