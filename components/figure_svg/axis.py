"""An axis: its type (linear, log, date or category), its range worked out as
plotly's autorange does, the pixel of a value, and its ticks and their labels."""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta
from typing import Any

from components.figure_svg.text import _num, _values

# ------------------------------------------------------------------ axes

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_EPOCH = datetime(1970, 1, 1)
_INF = math.inf
_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def _date_ms(v: Any) -> float | None:
    if isinstance(v, datetime):
        return (v.replace(tzinfo=None) - _EPOCH).total_seconds() * 1000
    if isinstance(v, date):
        return (datetime(v.year, v.month, v.day) - _EPOCH).total_seconds() * 1000
    if isinstance(v, str) and _DATE.match(v):
        try:
            parsed = datetime.fromisoformat(v.strip().replace("T", " ")[:19])
        except ValueError:
            return None
        return (parsed - _EPOCH).total_seconds() * 1000
    return _num(v)


class _Axis:
    """One axis: its type, categories, range and pixel mapping."""

    def __init__(self, letter: str, spec: dict, traces: list[dict]) -> None:
        self.letter = letter
        self.spec = spec
        self.visible = spec.get("visible", True) is not False
        # the traces' values, read for an axis's type and categories: not
        # for an axis declared linear, log or date (a funnel's log axis of
        # limit lines, hundreds of points)
        declared = spec.get("type")
        self.values = (
            [] if declared in ("linear", "date", "log") else self._trace_values(traces)
        )
        self.type = self._type()
        self.categories: dict[Any, int] = {}
        if self.type == "category":
            order = list(spec.get("categoryarray") or [])
            if spec.get("categoryorder") not in (None, "trace", "array"):
                order = []
            for v in order + [v for v in self.values if v is not None]:
                if v not in self.categories:
                    self.categories[v] = len(self.categories)
        self.mins: list[tuple[float, float, bool]] = []  # value, pad px, padded
        self.maxs: list[tuple[float, float, bool]] = []
        self.start = 0.0  # pixel of the range's first end
        self.length = 1.0
        self.range = (0.0, 1.0)

    def _trace_values(self, traces: list[dict]) -> list:
        out: list = []
        for t in traces:
            out.extend(_values(t.get(self.letter)))
        return out

    def _type(self) -> str:
        declared = self.spec.get("type")
        if declared in ("category", "linear", "date", "log"):
            return declared
        for v in self.values:
            if v is None:
                continue
            if isinstance(v, datetime | date):
                return "date"
            if isinstance(v, str):
                if _DATE.match(v):
                    return "date"
                return "linear" if _num(v) is not None else "category"
            return "linear"
        return "linear"

    def value(self, v: Any) -> float | None:
        """A data value on this axis as a number (a category's index)."""
        if type(v) is float and self.type in ("linear", "log"):  # the usual case
            if v != v or math.isinf(v):
                return None
            if self.type == "linear":
                return v
            return math.log10(v) if v > 0 else None
        if self.type == "category":
            # a category by its name; a number that names none is a position
            # (plotly's reading: shapes and notes between categories use it)
            try:
                index = self.categories.get(v)
            except TypeError:  # unhashable
                return None
            if index is not None or isinstance(v, str):
                return index
            return _num(v)
        if self.type == "date":
            return _date_ms(v)
        n = _num(v)
        if self.type == "log":
            return math.log10(n) if n is not None and n > 0 else None
        return n

    def numbers(self, values: list) -> list[float | None]:
        """`value` of each of `values`: a trace's floats on a linear or log
        axis and its names on a category axis (most values) read in one loop."""
        get = self.value
        if self.type == "linear":
            return [
                (v if -_INF < v < _INF else None) if type(v) is float else get(v)
                for v in values
            ]
        if self.type == "log":
            log10 = math.log10
            return [
                (log10(v) if 0 < v < _INF else None) if type(v) is float else get(v)
                for v in values
            ]
        if self.type == "category":
            index = self.categories.get
            return [index(v) if type(v) is str else get(v) for v in values]
        return [get(v) for v in values]

    def pixels(self, numbers: list[float | None]) -> list[float | None]:
        """`pixel` of each of `numbers` (None stays None)."""
        r0, r1 = self.range
        span = (r1 - r0) or 1.0
        start, length = self.start, self.length
        if self.letter == "x":
            return [
                None if v is None else start + (v - r0) / span * length for v in numbers
            ]
        return [
            None if v is None else start - (v - r0) / span * length for v in numbers
        ]

    def expand(self, v: float, pad: float = 0.0, padded: bool = False) -> None:
        self.mins.append((v, pad, padded))
        self.maxs.append((v, pad, padded))

    def expand_all(self, extents: list[tuple[float, float, bool]]) -> None:
        """`expand(*extent)` for each of `extents`, in order."""
        self.mins += extents
        self.maxs += extents

    def expand_span(self, lo: float, hi: float, pad: float, padded: bool) -> None:
        self.mins.append((lo, pad, padded))
        self.maxs.append((hi, pad, padded))

    def set_range(self, start: float, length: float) -> None:
        """Fix the pixel extent and the range: an explicit range as given,
        else plotly's autorange of the marks' extents."""
        self.start, self.length = start, length
        given = self.spec.get("range")
        auto = self.spec.get("autorange")
        if (
            isinstance(given, list | tuple)
            and len(given) == 2
            and None not in given
            and auto in (None, False)
        ):
            lo, hi = self.value(given[0]), self.value(given[1])
            if self.type == "log":  # plotly takes a log axis's range in log10
                lo, hi = _num(given[0]), _num(given[1])
            if lo is not None and hi is not None:
                self.range = (lo, hi)
                return
        lo, hi = self._autorange()
        self.range = (hi, lo) if auto == "reversed" else (lo, hi)

    def _autorange(self) -> tuple[float, float]:
        if not self.mins:
            if self.type == "date":
                return (946684800000.0, 978307200000.0)  # 2000 to 2001, as plotly
            # plotly's ranges for an axis with nothing on it
            low, high = (-1.0, 6.0) if self.letter == "x" else (-1.0, 4.0)
            if self.spec.get("rangemode") == "tozero":
                low = 0.0
            return (low, high)
        extra = self.length * 0.05

        def pad(pt: tuple[float, float, bool]) -> float:
            return pt[1] + (extra if pt[2] else 0.0)

        # at each padding only the lowest (highest) value can decide
        lows, highs = _extremes(self.mins, self.maxs, extra)
        mins = [(v, p, False) for p, v in lows.items()]
        maxs = [(v, p, False) for p, v in highs.items()]
        low = min(v for v, _, _ in mins)
        high = max(v for v, _, _ in maxs)
        tozero = self.spec.get("rangemode") == "tozero" and self.type == "linear"
        if low == high:
            if tozero:
                if low == 0:
                    return (0.0, 1.0)
                return (0.0, low * 1.05) if low > 0 else (low * 1.05, 0.0)
            return (low - 1, high + 1)
        # the pair of extremes that needs the most value per pixel decides
        best, lo_pt, hi_pt = 0.0, mins[0], maxs[0]
        for a in mins:
            for b in maxs:
                dv = b[0] - a[0]
                if dv <= 0:
                    continue
                dp = self.length - pad(a) - pad(b)
                ratio = dv / dp if dp > self.length / 20 else dv / self.length
                if ratio > best:
                    best, lo_pt, hi_pt = ratio, a, b
                    if dp <= self.length / 20:
                        lo_pt, hi_pt = (a[0], 0.0, False), (b[0], 0.0, False)
        if tozero:
            if lo_pt[0] >= 0:
                lo_pt = (0.0, 0.0, False)
            if hi_pt[0] <= 0:
                hi_pt = (0.0, 0.0, False)
        scale = (hi_pt[0] - lo_pt[0]) / max(self.length - pad(lo_pt) - pad(hi_pt), 1)
        return (lo_pt[0] - scale * pad(lo_pt), hi_pt[0] + scale * pad(hi_pt))

    def pixel(self, v: float) -> float:
        """A number on this axis (a value or a category index) as a pixel."""
        r0, r1 = self.range
        span = (r1 - r0) or 1.0
        if self.letter == "x":
            return self.start + (v - r0) / span * self.length
        return self.start - (v - r0) / span * self.length  # y grows upwards

    def at(self, v: Any) -> float | None:
        """A data value as a pixel, or None if it is not on the axis."""
        n = self.value(v)
        return None if n is None else self.pixel(n)

    # -------------------------------------------------------------- ticks

    def ticks(self) -> list[tuple[float, str]]:
        """(number, label) for every tick, in the range."""
        spec = self.spec
        lo, hi = sorted(self.range)
        if spec.get("tickmode") == "array" or spec.get("tickvals") is not None:
            vals = _values(spec.get("tickvals"))
            texts = _values(spec.get("ticktext"))
            out = []
            for k, v in enumerate(vals):
                n = self.value(v)
                if n is None or not lo - 1e-9 <= n <= hi + 1e-9:
                    continue
                label = texts[k] if k < len(texts) else self._label(n, 0)
                out.append((n, str(label)))
            return out
        if self.type == "category":
            names = list(self.categories)
            step = 1
            most = self.length / 15  # plotly: a category tick per 15 px at most
            if most and len(names) > most:
                step = math.ceil(len(names) / most)
            return [
                (float(k), str(names[k]))
                for k in range(0, len(names), step)
                if lo - 1e-9 <= k <= hi + 1e-9
            ]
        if self.type == "date":
            return self._date_ticks(lo, hi)
        if self.type == "log":
            return self._log_ticks(lo, hi)
        return self._linear_ticks(lo, hi)

    def _log_ticks(self, lo: float, hi: float) -> list[tuple[float, str]]:
        """plotly's log ticks: powers of ten when decades are many, 1, 2 and 5
        of each decade when few, even steps within less than a decade."""
        px = 80 if self.letter == "x" else 40
        count = min(max(self.length / px, 4), 9) + 1
        rough = (hi - lo) / count
        values: list[float] = []
        given = self.spec.get("dtick")
        if given in ("D1", "D2"):
            digits = range(1, 10) if given == "D1" else (1, 2, 5)
            for d in range(math.floor(lo), math.ceil(hi) + 1):
                values += [m * 10.0**d for m in digits]
        elif rough > 0.7:
            step = math.ceil(rough)
            values = [10.0**d for d in range(math.ceil(lo), math.floor(hi) + 1, step)]
        elif hi - lo < 1:
            a, b = 10**lo, 10**hi
            dtick = _round_dtick((b - a) / (1.5 * (hi - lo) / rough))
            k = math.ceil(a / dtick)
            while k * dtick <= b:
                values.append(k * dtick)
                k += 1
        else:
            for d in range(math.floor(lo), math.ceil(hi) + 1):
                values += [m * 10.0**d for m in (1, 2, 5)]
        out = []
        for v in values:
            n = math.log10(v)
            if lo - 1e-9 <= n <= hi + 1e-9:
                out.append((n, self._label(v, 1.0 if v >= 1 else v)))
        return out

    def _linear_ticks(self, lo: float, hi: float) -> list[tuple[float, str]]:
        px = 80 if self.letter == "x" else 40
        count = min(max(self.length / px, 4), 9) + 1
        dtick = _round_dtick((hi - lo) / count)
        first = math.ceil(lo / dtick - 1e-9)
        out = []
        k = first
        while k * dtick <= hi + dtick * 1e-9:
            v = k * dtick
            out.append((v, self._label(v, dtick)))
            k += 1
        return out

    def _label(self, v: float, dtick: float) -> str:
        spec = self.spec
        decimals = max(0, -math.floor(math.log10(dtick) + 1e-9)) if dtick else 2
        v = round(v, decimals + 6)
        if v == 0:
            v = 0.0  # no "-0"
        fmt = spec.get("tickformat")
        if fmt == ",":
            text = f"{v:,.{decimals}f}"
        elif fmt:
            text = _d3_format(fmt, v, decimals)
        elif abs(v) >= 10000 and not decimals:
            text = _si(v)
        else:
            text = f"{v:.{decimals}f}"
        if "." in text and not (fmt and fmt not in (",",)):
            text = text.rstrip("0").rstrip(".")
        prefix, suffix = spec.get("tickprefix") or "", spec.get("ticksuffix") or ""
        if prefix and text.startswith("-"):
            return "-" + prefix + text[1:] + suffix
        return prefix + text + suffix

    def _date_ticks(self, lo: float, hi: float) -> list[tuple[float, str]]:
        days = (hi - lo) / 86400000
        px = 80 if self.letter == "x" else 40
        count = min(max(self.length / px, 4), 9) + 1
        months = next(
            (m for m in (1, 2, 3, 6, 12, 24, 60, 120) if days / 30.4 / m <= count),
            240,
        )
        if days / count < 20:  # days rather than months
            step = next((d for d in (1, 2, 7, 14) if days / d <= count), 14)
            start = _EPOCH + timedelta(milliseconds=lo)
            day = datetime(start.year, start.month, start.day)
            out = []
            while (ms := (day - _EPOCH).total_seconds() * 1000) <= hi:
                if ms >= lo:
                    out.append((ms, f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"))
                day = day + timedelta(days=step)
            return out
        start = _EPOCH + timedelta(milliseconds=lo)
        year, month = start.year, 1
        out = []
        while True:
            ms = (datetime(year, month, 1) - _EPOCH).total_seconds() * 1000
            if ms > hi:
                return out
            if ms >= lo:
                label = str(year) if months >= 12 else f"{_MONTHS[month - 1]} {year}"
                out.append((ms, label))
            month += months
            year += (month - 1) // 12
            month = (month - 1) % 12 + 1


def _extremes(
    mins: list[tuple[float, float, bool]],
    maxs: list[tuple[float, float, bool]],
    extra: float,
) -> tuple[dict[float, float], dict[float, float]]:
    """At each padding (pad px, and `extra` if padded) the lowest of `mins`
    and the highest of `maxs`, the paddings in the order first met; of equal
    values the last (as min(v, kept) and max(v, kept) chose)."""
    lows: dict[float, float] = {}
    for v, p, padded in mins:
        key = p + (extra if padded else 0.0)
        kept = lows.get(key)
        if kept is None or not kept < v:
            lows[key] = v
    highs: dict[float, float] = {}
    for v, p, padded in maxs:
        key = p + (extra if padded else 0.0)
        kept = highs.get(key)
        if kept is None or not kept > v:
            highs[key] = v
    return lows, highs


def _round_dtick(rough: float) -> float:
    """plotly's tick step: 2, 5 or 10 times a power of ten, the first not
    below the rough step."""
    if rough <= 0 or not math.isfinite(rough):
        return 1.0
    base = 10 ** math.floor(math.log10(rough))
    for m in (1, 2, 5, 10):
        if rough / base <= m + 1e-9:
            return m * base
    return 10 * base


def _si(v: float) -> str:
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(v) >= limit:
            text = f"{v / limit:.3g}"
            return text + suffix
    return f"{v:g}"


def _d3_format(fmt: str, v: float, decimals: int) -> str:
    """The d3 formats the builders use: ",", ",.0f", ".1f", ".0%", "$,"."""
    m = re.fullmatch(r"(\$)?(,)?(?:\.(\d+))?([f%s]?)", fmt)
    if not m:
        return f"{v:g}"
    money, comma, digits, kind = m.groups()
    places = int(digits) if digits is not None else decimals
    if kind == "%":
        v, suffix = v * 100, "%"
    else:
        suffix = ""
    text = f"{v:{',' if comma else ''}.{places}f}" + suffix
    return ("$" if money else "") + text
