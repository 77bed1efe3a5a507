"""The renderer: a figure's layout and template merged, its margins and axis
ranges worked out, its axes drawn and its marks assembled into one <svg>."""

from __future__ import annotations

import re
from itertools import compress

from components import theme
from components.figure_svg.axis import _Axis
from components.figure_svg.bars import BarMarks
from components.figure_svg.notes import Notes
from components.figure_svg.paint import _at, _fill_attrs, _stroke_attrs
from components.figure_svg.scatter import ScatterMarks
from components.figure_svg.symbols import OutlineSymbols
from components.figure_svg.text import (
    _BR,
    _esc,
    _f,
    _font_size,
    _lines_width,
    _merged,
    _num,
    _rich_lines,
    _text,
    _texts,
    _title_of,
    _truncate,
    _values,
    _written,
)

NOMINAL_WIDTH = 720  # px: the drawing's width when the figure sets none
# plotly.js's layout.height when a figure sets none (chart.PLOTLY_DEFAULT_HEIGHT;
# not imported: chart imports this module)
NOMINAL_HEIGHT = 450

_TEMPLATE = theme.TEMPLATE_JSON


# ------------------------------------------------------------------ the renderer


class _Renderer(BarMarks, ScatterMarks, Notes):
    """One figure drawn: the layout (margins grown to fit, axis ranges), the
    axes and grid, then the marks in plotly's order (the marks themselves are
    drawn by the mixins from figure_svg.bars, .scatter and .notes)."""

    def __init__(
        self,
        figure: dict,
        title: str,
        desc: str,
        id_prefix: str,
        outlines: dict | OutlineSymbols | None,
    ) -> None:
        layout = figure.get("layout") or {}
        template = layout.get("template") or _TEMPLATE
        self.layout = _merged(template.get("layout") or {}, layout)
        self.layout.pop("template", None)
        defaults = template.get("data") or {}
        self.traces = []
        for trace in figure.get("data") or []:
            kind = trace.get("type") or "scatter"
            if trace.get("visible", True) in (False, "legendonly"):
                continue
            base = (defaults.get(kind) or [{}])[0]
            self.traces.append(_merged(base, trace))
        self.title, self.desc = title, desc
        self.pid = re.sub(r"[^A-Za-z0-9_-]", "-", id_prefix) or "chart"
        self.outlines = outlines
        self.font = self.layout.get("font") or {}
        self.text_colour = self.font.get("color") or theme.TEXT
        self.width = float(self.layout.get("width") or NOMINAL_WIDTH)
        self.height = float(self.layout.get("height") or NOMINAL_HEIGHT)
        self.defs: list[str] = []
        self.patterns: dict[tuple, str] = {}
        # haloed text traces' labels, drawn after the shapes above the traces
        self.labels_on_top: list[str] = []
        # a trace's arrays as lists and its points as axis numbers, read once
        # for the axes' ranges and again for the marks (this drawing's own)
        self._lists: dict[tuple[int, str], list] = {}
        self._pairs: dict[int, tuple[list, list]] = {}
        if self.outlines is not None:
            self._fill_outlines()
        self.x = _Axis("x", self.layout.get("xaxis") or {}, self._on_axis("x"))
        self.y = _Axis("y", self.layout.get("yaxis") or {}, self._on_axis("y"))

    def _list(self, trace: dict, key: str) -> list:
        """`_values(trace.get(key))`, decoded once per drawing (not to be
        changed by its readers)."""
        got = self._lists.get((id(trace), key))
        if got is None:
            got = self._lists[id(trace), key] = _values(trace.get(key))
        return got

    def _pair_numbers(self, trace: dict) -> tuple[list, list]:
        """The trace's x and y values (as many of each as of the other) as
        numbers on the two axes, read once per drawing."""
        got = self._pairs.get(id(trace))
        if got is None:
            xs, ys = self._list(trace, "x"), self._list(trace, "y")
            n = min(len(xs), len(ys))
            got = self._pairs[id(trace)] = (
                self.x.numbers(xs[:n]),
                self.y.numbers(ys[:n]),
            )
        return got

    def _on_axis(self, letter: str) -> list[dict]:
        return [
            t for t in self.traces if t.get("type", "scatter") in ("scatter", "bar")
        ]

    def _fill_outlines(self) -> None:
        """The map's areas get their coordinates from the outlines file, as the
        browser fills them (assets/vru.js mapOutlines); from an outlines SVG
        file (figure_svg.symbols) only their extents, for the axes' ranges,
        and each area is drawn as a <use> of its outline there."""
        symbols = isinstance(self.outlines, OutlineSymbols)
        for trace in self.traces:
            code = (trace.get("meta") or {}).get("code")
            if code is None or trace.get("x") is not None:
                continue
            if symbols:
                extent = self.outlines.bounds.get(code)
                if extent:
                    trace["x"], trace["y"] = list(extent[:2]), list(extent[2:])
                    trace["_outline_use"] = f"{self.outlines.href}#{code}"
                continue
            shape = self.outlines.get(code)
            if shape:
                trace["x"], trace["y"] = shape.get("x") or [], shape.get("y") or []

    # -------------------------------------------------------------- layout

    def render(self) -> str:
        margin = self.layout.get("margin") or {}
        self.ml = float(margin.get("l", 80))
        self.mr = float(margin.get("r", 80))
        self.mt = float(margin.get("t", 100))
        self.mb = float(margin.get("b", 80))
        legend = self._legend_items()
        legend_svg = self._legend(legend)
        self._fit_bottom()
        self.ph = max(self.height - self.mt - self.mb, 10)
        self._expand_axes()
        self.y.set_range(self.mt + self.ph, self.ph)
        self._fit_left()
        self.pw = max(self.width - self.ml - self.mr, 10)
        self.x.set_range(self.ml, self.pw)
        if self.y.spec.get("scaleanchor") == "x":
            self._keep_ratio(float(self.y.spec.get("scaleratio") or 1))
        body: list[str] = []
        grid, axes = self._axes()
        body.append(grid)
        body.append(self._shapes("below"))
        body.append(self._bars())
        body.append(self._scatters())
        body.append(axes)
        body.append(self._shapes("above"))
        body.append("".join(self.labels_on_top))
        body.append(self._annotations())
        body.append(self._figure_title())
        body.append(legend_svg())
        return self._document("".join(body))

    def _document(self, body: str) -> str:
        pid = self.pid
        family = _esc(self.font.get("family") or theme.FONT_FAMILY)
        defs = "".join(self.defs)
        clip = (
            f'<clipPath id="{pid}-svg-clip"><rect x="{_f(self.ml)}" y="{_f(self.mt)}" '
            f'width="{_f(self.pw)}" height="{_f(self.ph)}"/></clipPath>'
        )
        x0, x1 = self.x.range
        y0, y1 = self.y.range
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" '
            f'viewBox="0 0 {_f(self.width)} {_f(self.height)}" width="100%" '
            f'role="img" aria-labelledby="{pid}-svg-title {pid}-svg-desc" '
            f'class="chart-svg" id="{pid}-svg" font-family="{family}" '
            f'data-plot-area="{_f(self.ml)} {_f(self.mt)} {_f(self.pw)} '
            f'{_f(self.ph)}" data-x-range="{x0!r} {x1!r}" '
            f'data-y-range="{y0!r} {y1!r}">'
            f'<title id="{pid}-svg-title">{_esc(self.title)}</title>'
            f'<desc id="{pid}-svg-desc">{_esc(self.desc)}</desc>'
            f"<defs>{clip}{defs}</defs>"
            f'<rect width="{_f(self.width)}" height="{_f(self.height)}" '
            f"{_fill_attrs(self.layout.get('paper_bgcolor') or '#FFFFFF')}/>"
            f"{body}</svg>"
        )

    def _fit_bottom(self) -> None:
        """Grow the bottom margin to hold the x tick labels (as many lines as
        the longest) and the axis title: plotly's automargin."""
        ax = self.x
        if not ax.visible:
            return
        size = _font_size(ax.spec.get("tickfont"), 12)
        rows = 1
        if ax.type == "category":
            texts = ax.spec.get("ticktext") or list(ax.categories)
            rows = max((len(_BR.split(str(t))) for t in texts), default=1)
        need = float(ax.spec.get("ticklen", 5)) + 3 + rows * size * 1.3 + 4
        title = ax.spec.get("title")
        if _title_of(title):
            tsize = _font_size((title or {}).get("font"), 14)
            need += float((title or {}).get("standoff") or 8) + tsize * 1.3
        self.mb = max(self.mb, need)

    def _fit_left(self) -> None:
        """Grow the left margin when the y tick labels and title need more room
        than it gives (plotly's automargin; the builders reserve most of it).
        Category labels are cut to the margin instead."""
        ax = self.y
        if not ax.visible or ax.type == "category":
            return
        size = _font_size(ax.spec.get("tickfont"), 12)
        ticklen = float(ax.spec.get("ticklen", 5)) if ax.spec.get("ticks") else 0.0
        widest = max(
            (_lines_width(_rich_lines(label), size) for _, label in ax.ticks()),
            default=0.0,
        )
        need = ticklen + 3 + widest + 4
        title = ax.spec.get("title")
        if _title_of(title):
            tsize = _font_size((title or {}).get("font"), 14)
            need += float((title or {}).get("standoff") or 8) + tsize * 1.3
        self.ml = max(self.ml, need)

    # -------------------------------------------------------------- marks' extents

    def _expand_axes(self) -> None:
        x, y = self.x, self.y
        bars = [t for t in self.traces if t.get("type") == "bar"]
        self.bar_geometry = self._bar_geometry(bars)
        for geo in self.bar_geometry:
            pos_axis, size_axis = (y, x) if geo["horizontal"] else (x, y)
            # a bar's slot, gap and all, is in the range (plotly); each axis
            # takes the extents in the order the bars give them
            half = geo["slot"] / 2
            pos_axis.expand_all(
                [
                    (v, 0.0, False)
                    for b in geo["bars"]
                    for v in (b[0] - half, b[0] + half)
                ]
            )
            size_axis.expand_all(
                [
                    (v, 0.0, v != 0 or lo != 0)
                    for _, lo, hi, _, _ in geo["bars"]
                    for v in (lo, hi)
                ]
                + [(v, 0.0, True) for _, lo, hi in geo["errors"] for v in (lo, hi)]
            )
        for ax in (x, y):
            # every category has its place, those with no mark too (plotly);
            # bars take their whole slot, so the outer ones half a slot more
            if ax.type == "category" and ax.categories:
                half = 0.5 if any(self._bar_positions(ax)) else 0.0
                ax.expand(-half)
                ax.expand(len(ax.categories) - 1.0 + half)
        for trace in self.traces:
            if trace.get("type", "scatter") != "scatter":
                continue
            mode = trace.get("mode") or "lines+markers"
            has_markers = "markers" in mode
            has_text = "text" in mode
            marker = trace.get("marker") or {}
            sizes = marker.get("size", 6)
            ppad = 0.0
            if has_markers:
                biggest = max(
                    (s for s in _values(sizes) if isinstance(s, int | float)),
                    default=6,
                )
                ppad = max(biggest / 1.6, 3)
            fill = trace.get("fill") or "none"
            x_padded = True
            error_y = trace.get("error_y") or {}
            if not error_y and (
                fill in ("tonexty", "tozeroy") or not (has_markers or has_text)
            ):
                x_padded = False
            xs, ys = self._list(trace, "x"), self._list(trace, "y")
            # a trace's points share their padding: only its extremes count
            x_values, y_values = [], []
            if x.type == "linear" and y.type == "linear":
                for xv, yv in zip(xs, ys, strict=False):
                    if not (type(xv) is float and type(yv) is float):
                        xv, yv = x.value(xv), y.value(yv)
                        if xv is None or yv is None:
                            continue
                    elif xv != xv or yv != yv:  # NaN
                        continue
                    x_values.append(xv)
                    y_values.append(yv)
            else:
                xn, yn = self._pair_numbers(trace)
                if None not in xn and None not in yn:
                    x_values, y_values = xn, yn
                else:  # the points with both numbers (a limit line's gap)
                    both = [
                        xv is not None and yv is not None
                        for xv, yv in zip(xn, yn, strict=True)
                    ]
                    x_values = list(compress(xn, both))
                    y_values = list(compress(yn, both))
            if x_values:
                x.expand_span(min(x_values), max(x_values), ppad, x_padded)
                y.expand_span(min(y_values), max(y_values), ppad, fill != "tozeroy")
            if fill == "tozeroy" and ys:
                y.expand(0.0)
            errors = self._errors(trace, "y", xs, ys)
            if errors:
                y.expand_span(
                    min(e[0] for e in errors), max(e[1] for e in errors), 0.0, True
                )

    def _errors(self, trace: dict, letter: str, xs: list, ys: list):
        """(low, high) of each point's error bar on `letter`, in axis numbers."""
        spec = trace.get(f"error_{letter}") or {}
        if not spec or spec.get("visible") is False:
            return []
        axis = self.y if letter == "y" else self.x
        values = ys if letter == "y" else xs
        plus = _values(spec.get("array"))
        minus = plus if spec.get("symmetric", True) else _values(spec.get("arrayminus"))
        out = []
        for i, centre in enumerate(axis.numbers(values)):
            up, down = _num(_at(plus, i)), _num(_at(minus, i))
            if centre is None or (up is None and down is None):
                out.append(None)
                continue
            out.append((centre - (down or 0.0), centre + (up or 0.0)))
        return [e for e in out if e is not None] if letter == "y" else out

    def _keep_ratio(self, ratio: float) -> None:
        """y units `ratio` times as long as x units (the map), widening the
        range of whichever axis has room to spare, about its middle."""
        (x0, x1), (y0, y1) = self.x.range, self.y.range
        px_x = self.pw / ((x1 - x0) or 1)
        px_y = self.ph / ((y1 - y0) or 1)
        if px_y > px_x * ratio:  # y too stretched: widen y's range
            span = self.ph / (px_x * ratio)
            mid = (y0 + y1) / 2
            self.y.range = (mid - span / 2, mid + span / 2)
        else:
            span = self.pw / (px_y / ratio)
            mid = (x0 + x1) / 2
            self.x.range = (mid - span / 2, mid + span / 2)

    # -------------------------------------------------------------- axes

    def _axes(self) -> tuple[str, str]:
        grid: list[str] = []
        lines: list[str] = []
        left, top = self.ml, self.mt
        right, bottom = left + self.pw, top + self.ph
        for ax in (self.x, self.y):
            if not ax.visible:
                continue
            spec = ax.spec
            ticks = ax.ticks()
            tick_colour = spec.get("tickcolor") or theme.AXIS_LINE
            ticklen = float(spec.get("ticklen", 5)) if spec.get("ticks") else 0.0
            size = _font_size(spec.get("tickfont"), 12)
            font_colour = (spec.get("tickfont") or {}).get("color") or self.text_colour
            pixels = [(ax.pixel(n), label) for n, label in ticks]
            if spec.get("showgrid", ax.type != "category"):
                colour = spec.get("gridcolor") or theme.GRID
                width = float(spec.get("gridwidth") or 1)
                # every tick's path written at once (`_written` of each)
                if ax.letter == "x":
                    numbers = [v for p, _ in pixels for v in (p, top, bottom)]
                    d = _written("M%.1f,%.1fV%.1f" * len(pixels), *numbers)
                else:
                    numbers = [v for p, _ in pixels for v in (left, p, right)]
                    d = _written("M%.1f,%.1fH%.1f" * len(pixels), *numbers)
                if d:
                    grid.append(f'<path d="{d}" {_stroke_attrs(colour, width)}/>')
            if spec.get("zeroline") and ax.type == "linear":
                lo, hi = sorted(ax.range)
                if lo < 0 < hi:
                    p = ax.pixel(0.0)
                    d = (
                        f"M{_f(p)},{_f(top)}V{_f(bottom)}"
                        if ax.letter == "x"
                        else f"M{_f(left)},{_f(p)}H{_f(right)}"
                    )
                    zc = spec.get("zerolinecolor") or "#444444"
                    grid.append(f'<path d="{d}" {_stroke_attrs(zc, 1)}/>')
            if spec.get("showline"):
                colour = spec.get("linecolor") or theme.AXIS_LINE
                d = (
                    f"M{_f(left)},{_f(bottom)}H{_f(right)}"
                    if ax.letter == "x"
                    else f"M{_f(left)},{_f(top)}V{_f(bottom)}"
                )
                lines.append(f'<path d="{d}" {_stroke_attrs(colour, 1)}/>')
            if ticklen and pixels:
                if ax.letter == "x":
                    numbers = [v for p, _ in pixels for v in (p, bottom, ticklen)]
                    d = _written("M%.1f,%.1fv%.1f" * len(pixels), *numbers)
                else:
                    numbers = [v for p, _ in pixels for v in (left, p, -ticklen)]
                    d = _written("M%.1f,%.1fh%.1f" * len(pixels), *numbers)
                lines.append(f'<path d="{d}" {_stroke_attrs(tick_colour, 1)}/>')
            labelled = pixels if spec.get("showticklabels", True) is not False else []
            if ax.letter == "x":
                lines.append(self._x_labels(ax, labelled, ticklen, size, font_colour))
            else:
                lines.append(self._y_labels(ax, labelled, ticklen, size, font_colour))
        return "".join(grid), "".join(lines)

    def _x_labels(self, ax: _Axis, pixels, ticklen, size, colour) -> str:
        bottom = self.mt + self.ph
        labels = [(p, _rich_lines(label)) for p, label in pixels]
        if not labels:
            rows = 1
        else:
            rows = max(len(lines) for _, lines in labels)
        # crowded labels: every k-th labelled (all keep their tick), the
        # smallest k at which neighbours clear each other; a label still too
        # long for the room between its neighbours is cut
        step = 1
        widths = [_lines_width(lines, size) for _, lines in labels]
        if len(labels) > 1:
            gapx = abs(labels[1][0] - labels[0][0])
            most = max(len(labels) // 2, 1)
            while step < most and any(
                (widths[k] + widths[k + step]) / 2 + 4 > gapx * step
                for k in range(0, len(labels) - step, step)
            ):
                step += 1
        shown = list(range(0, len(labels), step))
        placed = []
        y = bottom + ticklen + 3
        for n, k in enumerate(shown):
            p, lines = labels[k]
            # its room: twice the distance to what is beside it, a neighbour's
            # half-width or the drawing's edge
            room = 2 * min(p, self.width - p) if ax.type == "category" else self.pw
            if n:
                before = labels[shown[n - 1]][0]
                room = min(room, 2 * (abs(p - before) - widths[shown[n - 1]] / 2 - 4))
            if n + 1 < len(shown):
                after = labels[shown[n + 1]][0]
                room = min(room, 2 * (abs(after - p) - widths[shown[n + 1]] / 2 - 4))
            lines = [_truncate(runs, size, room) for runs in lines]
            x = p
            if ax.type != "category":  # a number's label kept on the drawing
                w = _lines_width(lines, size)
                x = min(max(p, w / 2 + 1), self.width - w / 2 - 1)
            placed.append((lines, x, y))
        out = _texts(placed, size=size, colour=colour, anchor="middle", valign="top")
        title = _title_of(ax.spec.get("title"))
        if title:
            tfont = (ax.spec.get("title") or {}).get("font") or {}
            tsize = _font_size(tfont, 14)
            ty = (
                y
                + rows * size * 1.3
                + float((ax.spec.get("title") or {}).get("standoff") or 8)
            )
            ty = min(ty, self.height - 2 - tsize)
            out.append(
                _text(
                    _rich_lines(title),
                    self.ml + self.pw / 2,
                    ty,
                    size=tsize,
                    colour=tfont.get("color") or self.text_colour,
                    anchor="middle",
                    valign="top",
                )
            )
        return "".join(out)

    def _y_labels(self, ax: _Axis, pixels, ticklen, size, colour) -> str:
        title = _title_of(ax.spec.get("title"))
        tfont = (ax.spec.get("title") or {}).get("font") or {}
        tsize = _font_size(tfont, 14)
        title_room = tsize * 1.3 + 4 if title else 0
        room = self.ml - ticklen - 4 - title_room
        x = self.ml - ticklen - 3
        labels = []
        widest = 0.0
        for p, label in pixels:
            lines = [_truncate(runs, size, room) for runs in _rich_lines(label)]
            widest = max(widest, _lines_width(lines, size))
            labels.append((lines, x, p))
        out = _texts(labels, size=size, colour=colour, anchor="end")
        if title:
            standoff = float((ax.spec.get("title") or {}).get("standoff") or 8)
            tx = max(x - widest - standoff - tsize * 0.3, tsize * 0.9)
            cy = self.mt + self.ph / 2
            out.append(
                _text(
                    _rich_lines(title),
                    tx,
                    cy,
                    size=tsize,
                    colour=tfont.get("color") or self.text_colour,
                    anchor="middle",
                    valign="bottom",
                    extra=f' transform="rotate(-90 {_f(tx)} {_f(cy)})"',
                )
            )
        return "".join(out)
