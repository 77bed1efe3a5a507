"""Scatter traces: lines, fill bands between traces or to zero (the map's
areas among them), markers, error bars and point text."""

from __future__ import annotations

from components import theme
from components.figure_svg.paint import (
    _at,
    _each,
    _fill_attrs,
    _marker,
    _outline,
    _paint,
    _stroke_attrs,
    _tooltip,
    _tooltips,
)
from components.figure_svg.symbols import OutlineSymbols, frame_transform
from components.figure_svg.text import (
    _coords,
    _esc,
    _font_size,
    _lines_width,
    _num,
    _rich_lines,
    _texts,
    _values,
    _written,
    _written_each,
)


class ScatterMarks:
    """The renderer's scatter traces: lines, fill bands, markers, error bars
    and text (mixed into figure_svg.renderer's _Renderer, whose state they
    read)."""

    # -------------------------------------------------------------- scatter

    def _points(self, trace: dict) -> list[tuple[float, float] | None]:
        """Each point's pixel, None where the value is missing or withheld."""
        out: list[tuple[float, float] | None] = []
        if self.x.type == "linear" and self.y.type == "linear":
            xs, ys = self._list(trace, "x"), self._list(trace, "y")
            # the usual case made cheap (a map's outlines have thousands):
            # floats straight through the two linear mappings
            (x0, x1), (y0, y1) = self.x.range, self.y.range
            xa, xb = self.x.start, self.x.length / ((x1 - x0) or 1.0)
            ya, yb = self.y.start, self.y.length / ((y1 - y0) or 1.0)
            for x, y in zip(xs, ys, strict=False):
                if type(x) is not float or type(y) is not float:
                    x, y = _num(x), _num(y)
                    if x is None or y is None:
                        out.append(None)
                        continue
                elif x != x or y != y:  # NaN
                    out.append(None)
                    continue
                out.append((xa + (x - x0) * xb, ya - (y - y0) * yb))
            return out
        xn, yn = self._pair_numbers(trace)
        pxs, pys = self.x.pixels(xn), self.y.pixels(yn)
        return [
            None if px is None or py is None else (px, py)
            for px, py in zip(pxs, pys, strict=True)
        ]

    def _scatters(self) -> str:
        scatters = [
            (k, t)
            for k, t in enumerate(self.traces)
            if t.get("type", "scatter") == "scatter"
        ]
        if not scatters:
            return ""
        fills, marks = [], []
        previous: list | None = None
        for k, trace in scatters:
            points = self._points(trace)
            fill = trace.get("fill") or "none"
            if fill != "none":
                fills.append(self._fill(trace, points, previous, k))
            previous = points
            marks.append(self._scatter_marks(trace, points, k))
        clip = f' clip-path="url(#{self.pid}-svg-clip)"'
        return f"<g{clip}>{self._place_uses(fills)}</g>{''.join(marks)}"

    def _place_uses(self, fills: list[str]) -> str:
        """The fills, each run of map areas drawn from the outlines file
        (`_outline_use`) in one group that places them all: one transform for
        the map, not one per area."""
        if not isinstance(self.outlines, OutlineSymbols):
            return "".join(fills)
        transform, _ = self._frame()
        out, in_run = [], False
        for fill in fills:
            is_use = fill.startswith("<use ")
            if is_use != in_run:
                out.append(f'<g transform="{transform}">' if is_use else "</g>")
                in_run = is_use
            out.append(fill)
        if in_run:
            out.append("</g>")
        return "".join(out)

    def _frame(self) -> tuple[str, float]:
        """`frame_transform` of the axes (fixed by now), worked out once for
        all the map's areas."""
        got = getattr(self, "_frame_transform", None)
        if got is None:
            got = frame_transform(self.x, self.y, self.outlines.y_ratio)
            self._frame_transform = got
        return got

    def _fill(self, trace, points, previous, k) -> str:
        colour, opacity = trace.get("fillcolor"), 1.0
        if not colour:  # plotly's default: the line's colour, half transparent
            line_colour = (trace.get("line") or {}).get("color")
            colour = line_colour or theme.PALETTE[k % len(theme.PALETTE)]
            opacity = 0.5
        fill = trace.get("fill")
        own = [p for p in points if p is not None]
        if not own:
            return ""
        if fill == "toself" and trace.get("_outline_use"):
            return self._outline_use(trace, colour, opacity, k)
        if fill == "toself":
            runs, run = [], []
            for p in points:
                if p is None:
                    if run:
                        runs.append(run)
                    run = []
                else:
                    run.append(p)
            if run:
                runs.append(run)
            d = "".join(_outline(r) for r in runs)
            line = trace.get("line") or {}
            stroke = ""
            if (line.get("width") or 0) > 0:
                stroke = " " + _stroke_attrs(line.get("color"), float(line["width"]))
            return (
                f'<path data-trace="{k}" data-name="{_esc(str(trace.get("name", "")))}"'
                f' d="{d}" {_fill_attrs(colour, opacity)}{stroke}>'
                f"{_tooltip(trace, None)}</path>"
            )
        if fill == "tozeroy":
            zero = self.y.pixel(0.0)
            poly = own + [(own[-1][0], zero), (own[0][0], zero)]
        elif fill == "tonexty" and previous:
            other = [p for p in previous if p is not None]
            poly = own + other[::-1]
        else:
            return ""
        d = "M" + _coords(poly) + "Z"
        return f'<path data-role="band" d="{d}" {_fill_attrs(colour, opacity)}/>'

    def _outline_use(self, trace, colour, opacity, k) -> str:
        """A map's area drawn from the outlines file (figure_svg.symbols),
        placed by its group's transform (`_place_uses`), the line's pixel width
        kept."""
        _, scale = self._frame()
        line = trace.get("line") or {}
        stroke = ""
        if (line.get("width") or 0) > 0:
            # in the frame's units: the transform scales it back to the pixels
            paint, alpha = _paint(line.get("color"))
            stroke = (
                f' stroke="{_esc(paint)}"'
                f' stroke-width="{float(line["width"]) / scale:.3g}"'
            )
            if paint != "none" and alpha < 1:
                stroke += f' stroke-opacity="{alpha:.3g}"'
        return (
            f'<use data-trace="{k}" data-name="{_esc(str(trace.get("name", "")))}"'
            f' href="{_esc(trace["_outline_use"])}"'
            f" {_fill_attrs(colour, opacity)}{stroke}>"
            f"{_tooltip(trace, None)}</use>"
        )

    def _scatter_marks(self, trace, points, k) -> str:
        mode = trace.get("mode") or ("lines+markers" if len(points) < 20 else "lines")
        line = trace.get("line") or {}
        name = _esc(str(trace.get("name", "")))
        colour = line.get("color") or theme.PALETTE[k % len(theme.PALETTE)]
        out = [f'<g data-trace="{k}" data-name="{name}">']
        clip = (
            f' clip-path="url(#{self.pid}-svg-clip)"'
            if trace.get("cliponaxis", True) is not False
            else ""
        )
        out.append(self._scatter_errors(trace, points))
        width = float(line.get("width", 2))
        if "lines" in mode and width > 0 and trace.get("fill") != "toself":
            runs, run = [], []
            connect = trace.get("connectgaps") is True
            for p in points:
                if p is None:
                    if run and not connect:
                        runs.append(run)
                        run = []
                    continue
                run.append(p)
            if run:
                runs.append(run)
            d = "".join("M" + _coords(r) for r in runs if r)
            if d:
                out.append(
                    f'<path data-role="line" d="{d}" fill="none" '
                    f"{_stroke_attrs(colour, width, line.get('dash'))} "
                    f'stroke-linejoin="round"{clip}/>'
                )
        marker = trace.get("marker") or {}
        if "markers" in mode:
            symbols, sizes = marker.get("symbol", "circle"), marker.get("size", 6)
            mcolours = marker.get("color") or colour
            mline = marker.get("line") or {}
            drawn = []
            # each point's properties, per point or one for all, looked at once
            n = len(points)
            mcolours = _each(mcolours, n, colour)
            symbols, sizes = _each(symbols, n, "circle"), _each(sizes, n, 6)
            tips = _tooltips(trace, n)
            for i, p in enumerate(points):
                if p is None:
                    continue
                mcolour = mcolours[i]
                if _paint(mcolour)[1] == 0:
                    continue  # transparent: a hover target only
                drawn.append(
                    _marker(
                        p[0],
                        p[1],
                        str(symbols[i]),
                        float(sizes[i]),
                        mcolour,
                        mline,
                        tips[i],
                    )
                )
            if drawn:
                out.append(f'<g data-role="markers"{clip}>{"".join(drawn)}</g>')
        if "text" in mode:
            labels = self._scatter_text(trace, points, marker, clip)
            if (trace.get("textfont") or {}).get("shadow") and labels:
                # A haloed label is meant to read across lines, so it is drawn
                # over the shapes above the traces too (the ranked bars'
                # dashed benchmark line struck through "71.8 Better").
                self.labels_on_top.append(
                    f'<g data-trace="{k}" data-name="{name}" data-role="labels">'
                    f"{labels}</g>"
                )
            else:
                out.append(labels)
        out.append("</g>")
        return "".join(out)

    def _scatter_errors(self, trace, points) -> str:
        spec = trace.get("error_y") or {}
        if not spec or spec.get("visible") is False:
            return ""
        ys = self._list(trace, "y")
        plus = _values(spec.get("array"))
        minus = plus if spec.get("symmetric", True) else _values(spec.get("arrayminus"))
        cap = float(spec.get("width", 4))
        d = []
        for i, p in enumerate(points):
            centre = self.y.value(ys[i]) if i < len(ys) else None
            up, down = _num(_at(plus, i)), _num(_at(minus, i))
            if p is None or centre is None or (up is None and down is None):
                continue
            a = self.y.pixel(centre - (down or 0.0))
            b = self.y.pixel(centre + (up or 0.0))
            x = p[0]
            d.append(
                _written(
                    "M%.1f,%.1fV%.1fM%.1f,%.1fh%.1fM%.1f,%.1fh%.1f",
                    *(x, a, b, x - cap, a, 2 * cap, x - cap, b, 2 * cap),
                )
            )
        if not d:
            return ""
        colour = spec.get("color") or (trace.get("line") or {}).get("color")
        thickness = float(spec.get("thickness", 2))
        return (
            f'<path data-role="error-bars" d="{"".join(d)}" fill="none" '
            f"{_stroke_attrs(colour or self.text_colour, thickness)}/>"
        )

    def _scatter_text(self, trace, points, marker, clip) -> str:
        texts = trace.get("text")
        position = trace.get("textposition") or "middle center"
        font = trace.get("textfont") or {}
        size = _font_size(font, self.font.get("size", 14))
        colour = font.get("color") or self.text_colour
        halo = ""
        if font.get("shadow"):  # plotly's text shadow: a white halo reads the same
            halo = (
                ' stroke="#FFFFFF" stroke-width="3" stroke-linejoin="round" '
                'paint-order="stroke"'
            )
        vertical, _, horizontal = position.partition(" ")
        # where the position puts a label, the same for all of them
        anchor = {"right": "start", "left": "end"}.get(horizontal, "middle")
        valign = {"top": "bottom", "bottom": "top"}.get(vertical, "middle")
        sizes = _each(marker.get("size", 6), len(points), 6)
        labels, grounds = [], []
        for i, p in enumerate(points):
            label = _at(texts, i)
            if p is None or label in (None, ""):
                continue
            r = float(sizes[i]) / 2 + 2
            x, y = p
            if horizontal == "right":
                x = x + r
            elif horizontal == "left":
                x = x - r
            if vertical == "top":
                y = y - r
            elif vertical == "bottom":
                y = y + r
            lines = _rich_lines(label)
            labels.append((lines, x, y))
            if halo:
                # and a patch of the background under it, so that a line drawn
                # across the label (a benchmark's) stops at it, also where the
                # stroke of the halo is not drawn (paint-order: the PDF pack's
                # SVG reader)
                tw, th = _lines_width(lines, size), len(lines) * size * 1.3
                if anchor == "start":
                    left = x
                elif anchor == "end":
                    left = x - tw
                else:
                    left = x - tw / 2
                if valign == "bottom":
                    top = y - th
                elif valign == "top":
                    top = y
                else:
                    top = y - th / 2
                grounds.append((left - 1, top, tw + 2, th))
        if not labels:
            return ""
        out = _texts(
            labels, size=size, colour=colour, anchor=anchor, valign=valign, extra=halo
        )
        if grounds:
            rects = _written_each(
                'x="%.1f" y="%.1f" width="%.1f" height="%.1f" ', grounds
            )
            out = [
                f'<rect data-role="label-ground" {rect}fill="#FFFFFF"/>{text}'
                for rect, text in zip(rects, out, strict=True)
            ]
        return f'<g data-role="text"{clip}>{"".join(out)}</g>'
