"""Figure builders read through plotly's objects, as the tests read them
(fig.data[0].x, fig.layout.xaxis.range): the builders return plain data, and
go.Figure(plain) validates every property of it on the way."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import plotly.graph_objects as go


def through_plotly(builder: Callable[..., dict[str, Any]]) -> Callable[..., go.Figure]:
    @functools.wraps(builder)
    def build(*args: Any, **kwargs: Any) -> go.Figure:
        return go.Figure(builder(*args, **kwargs))

    return build
