"""Bars: where each bar trace's bars stand after grouping or stacking, and
how they are drawn (patterns, error bars, text inside or outside)."""

from __future__ import annotations

import math

from components import theme
from components.figure_svg.axis import _Axis
from components.figure_svg.paint import (
    _at,
    _each,
    _fill_attrs,
    _stroke_attrs,
    _tooltips,
)
from components.figure_svg.text import (
    MIN_FONT,
    _esc,
    _f,
    _font_size,
    _lines_width,
    _num,
    _nums,
    _rich_lines,
    _text,
    _values,
    _written,
    _written_each,
)


class BarMarks:
    """The renderer's bars: each trace's bars after grouping or stacking, drawn
    with their patterns, error bars and text (mixed into figure_svg.renderer's
    _Renderer, whose state they read)."""

    def _bar_positions(self, ax: _Axis):
        """Whether each bar trace has its positions on `ax`."""
        for geo in self.bar_geometry:
            yield (ax is self.y) == geo["horizontal"]

    def _bar_geometry(self, bars: list[dict]) -> list[dict]:
        """Each bar trace's bars: (position, start, end, index, value), its
        width in category units and its error bars, after grouping/stacking."""
        if not bars:
            return []
        mode = self.layout.get("barmode") or "group"
        gap = self.layout.get("bargap")
        gap = 0.2 if gap is None else float(gap)
        group_gap = float(self.layout.get("bargroupgap") or 0)
        grouped = mode == "group"
        # traces sharing positions side by side (group) or one on another
        n = len(bars) if grouped else 1
        slot = (1 - gap) / n
        stacks_pos: dict[float, float] = {}
        stacks_neg: dict[float, float] = {}
        out = []
        for k, trace in enumerate(bars):
            horizontal = trace.get("orientation") == "h"
            pos_axis, size_axis = (self.y, self.x) if horizontal else (self.x, self.y)
            positions = _values(trace.get("y" if horizontal else "x"))
            sizes = _values(trace.get("x" if horizontal else "y"))
            if not positions:
                positions = list(range(len(sizes)))
            bases = _values(trace.get("base"))
            width = trace.get("width")
            bar_width = float(width) if isinstance(width, int | float) else None
            offset = 0.0
            if grouped:
                offset = -(1 - gap) / 2 + slot * (k + 0.5)
            # each bar's position, size, base and error, read a trace at a time
            count = len(positions)
            at = pos_axis.numbers(positions)
            values = _nums(sizes[:count])
            starts = _nums(_each(bases, count)) if bases else None
            spacing = 1.0
            if pos_axis.type != "category":
                numbers = sorted({n for n in at if n is not None})
                steps = [b - a for a, b in zip(numbers, numbers[1:], strict=False)]
                spacing = min(steps, default=1.0) or 1.0
            drawn_width = bar_width or slot * (1 - group_gap) * spacing
            offset *= spacing
            items, errors = [], []
            err = trace.get("error_x" if horizontal else "error_y") or {}
            plus = _values(err.get("array"))
            minus = (
                plus if err.get("symmetric", True) else _values(err.get("arrayminus"))
            )
            ups = _nums(_each(plus, count))
            downs = ups if minus is plus else _nums(_each(minus, count))
            for i, p in enumerate(at):
                v = values[i] if i < len(values) else None
                if p is None or v is None:
                    errors.append(None)
                    continue
                p += offset
                base = starts[i] if starts else None
                if base is None:
                    base = 0.0
                    if mode in ("stack", "relative"):
                        stack = (
                            stacks_neg if mode == "relative" and v < 0 else stacks_pos
                        )
                        base = stack.get(p, 0.0)
                        stack[p] = base + v
                items.append((p, base, base + v, i, v))
                up, down = ups[i], downs[i]
                if err and (up is not None or down is not None):
                    end = base + v
                    errors.append((p, end - (down or 0.0), end + (up or 0.0)))
                else:
                    errors.append(None)
            out.append(
                dict(
                    trace=trace,
                    horizontal=horizontal,
                    width=drawn_width,
                    slot=spacing,
                    bars=items,
                    errors=[e for e in errors if e is not None],
                    stacked=mode in ("stack", "relative"),
                )
            )
        return out

    # -------------------------------------------------------------- bars

    def _pattern(self, pattern: dict, background: str) -> str | None:
        """The id of a <pattern> for plotly's marker.pattern (colour is never
        the only cue: each category has its own pattern)."""
        shape = pattern.get("shape") or ""
        if not shape:
            return None
        fg = pattern.get("fgcolor") or self.text_colour
        opacity = float(pattern.get("fgopacity", 1))
        size = float(pattern.get("size") or 8)
        solidity = float(pattern.get("solidity") or 0.3)
        key = (shape, fg, opacity, size, solidity)
        if key in self.patterns:
            return self.patterns[key]
        pid = f"{self.pid}-svg-pattern{len(self.patterns)}"
        self.patterns[key] = pid
        s = size
        stroke = _stroke_attrs(fg, max(s * solidity * 0.8, 1))
        # the shape's path (a dot is a circle, below)
        path = ""
        if shape == ".":
            pass
        elif shape == "\\":
            path = (
                f"M0,0L{_f(s)},{_f(s)}M{_f(-s / 4)},{_f(s * 0.75)}L{_f(s / 4)},"
                f"{_f(s * 1.25)}M{_f(s * 0.75)},{_f(-s / 4)}L{_f(s * 1.25)},{_f(s / 4)}"
            )
        elif shape == "x":
            path = f"M0,{_f(s)}L{_f(s)},0M0,0L{_f(s)},{_f(s)}"
        elif shape == "-":
            path = f"M0,{_f(s / 2)}H{_f(s)}"
        elif shape == "|":
            path = f"M{_f(s / 2)},0V{_f(s)}"
        elif shape == "+":
            path = f"M0,{_f(s / 2)}H{_f(s)}M{_f(s / 2)},0V{_f(s)}"
        else:  # "/", and any shape not drawn here
            path = (
                f"M0,{_f(s)}L{_f(s)},0M{_f(-s / 4)},{_f(s / 4)}L{_f(s / 4)},"
                f"{_f(-s / 4)}M{_f(s * 0.75)},{_f(s * 1.25)}"
                f"L{_f(s * 1.25)},{_f(s * 0.75)}"
            )
        if shape == ".":
            r = math.sqrt(solidity * s * s / math.pi)
            mark = (
                f'<circle cx="{_f(s / 2)}" cy="{_f(s / 2)}" r="{_f(r)}" '
                f"{_fill_attrs(fg)}/>"
            )
        else:
            mark = f'<path d="{path}" {stroke}/>'
        self.defs.append(
            f'<pattern id="{pid}" patternUnits="userSpaceOnUse" width="{_f(s)}" '
            f'height="{_f(s)}"><g opacity="{opacity:.3g}">{mark}</g></pattern>'
        )
        return pid

    def _bars(self) -> str:
        out = []
        for k, geo in enumerate(self.bar_geometry):
            trace = geo["trace"]
            marker = trace.get("marker") or {}
            line = marker.get("line") or {}
            line_width = float(line.get("width") or 0)
            colours = marker.get("color")
            opacities = marker.get("opacity")
            pattern = marker.get("pattern") or {}
            horizontal = geo["horizontal"]
            pos_axis, size_axis = (self.y, self.x) if horizontal else (self.x, self.y)
            half = geo["width"] / 2
            group = [
                f'<g data-trace="{k}" data-name="{_esc(str(trace.get("name", "")))}">'
            ]
            texts = []
            # each bar's properties, per bar or one for all, looked at once
            n = geo["bars"][-1][3] + 1 if geo["bars"] else 0
            colours = _each(colours, n, theme.PALETTE[k % len(theme.PALETTE)])
            opacities = _each(opacities, n, 1.0)
            shapes = _each(pattern.get("shape"), n, "")
            tips = _tooltips(trace, n)
            # each bar's box, then its attributes written at once (`_written`
            # of each)
            boxes = []
            pixel, size_pixel = pos_axis.pixel, size_axis.pixel
            for p, start, end, _i, _v in geo["bars"]:
                a, b = pixel(p - half), pixel(p + half)
                c, d = size_pixel(start), size_pixel(end)
                if horizontal:
                    boxes.append((min(c, d), min(a, b), abs(d - c), abs(b - a)))
                else:
                    boxes.append((min(a, b), min(c, d), abs(b - a), abs(d - c)))
            rects = _written_each('x="%.1f" y="%.1f" width="%.1f" height="%.1f"', boxes)
            labelled = (trace.get("textposition") or "auto") != "none"
            for (_p, start, end, i, _v), (x, y, w, h), rect in zip(
                geo["bars"], boxes, rects, strict=True
            ):
                colour = colours[i]
                opacity = _num(opacities[i])
                opacity = 1.0 if opacity is None else opacity
                stroke = ""
                if line_width and line.get("color"):
                    stroke = " " + _stroke_attrs(_at(line["color"], i), line_width)
                attrs = _fill_attrs(colour, opacity) + stroke
                tip = tips[i]
                group.append(
                    f"<rect {rect} {attrs}>{tip}</rect>"
                    if tip
                    else f"<rect {rect} {attrs}/>"
                )
                shape = shapes[i]
                if shape:
                    pid = self._pattern({**pattern, "shape": shape}, colour)
                    group.append(
                        # hover passes through to the bar and its tooltip
                        f'<rect {rect} fill="url(#{pid})" pointer-events="none"'
                        + (f' opacity="{opacity:.3g}"' if opacity < 1 else "")
                        + "/>"
                    )
                if labelled:
                    texts.append(self._bar_text(trace, i, geo, x, y, w, h, end < start))
            group.append(self._bar_errors(trace, geo))
            group.extend(t for t in texts if t)
            group.append("</g>")
            out.append("".join(group))
        return "".join(out)

    def _bar_errors(self, trace: dict, geo: dict) -> str:
        spec = trace.get("error_x" if geo["horizontal"] else "error_y") or {}
        if not geo["errors"]:
            return ""
        colour = spec.get("color") or self.text_colour
        thickness = float(spec.get("thickness", 2))
        cap = float(spec.get("width", 4))
        pos_axis, size_axis = (
            (self.y, self.x) if geo["horizontal"] else (self.x, self.y)
        )
        d = []
        for p, lo, hi in geo["errors"]:
            c = pos_axis.pixel(p)
            a, b = size_axis.pixel(lo), size_axis.pixel(hi)
            if geo["horizontal"]:
                d.append(
                    _written(
                        "M%.1f,%.1fH%.1fM%.1f,%.1fv%.1fM%.1f,%.1fv%.1f",
                        *(a, c, b, a, c - cap, 2 * cap, b, c - cap, 2 * cap),
                    )
                )
            else:
                d.append(
                    _written(
                        "M%.1f,%.1fV%.1fM%.1f,%.1fh%.1fM%.1f,%.1fh%.1f",
                        *(c, a, b, c - cap, a, 2 * cap, c - cap, b, 2 * cap),
                    )
                )
        return (
            f'<path data-role="error-bars" d="{"".join(d)}" fill="none" '
            f"{_stroke_attrs(colour, thickness)}/>"
        )

    def _bar_text(self, trace, i, geo, x, y, w, h, negative) -> str:
        """A bar's label where plotly puts it: inside the bar's end when it
        fits (turned along a column that is too narrow for it flat), else
        beyond the end; where neither fits (or beside a bar inside a stack)
        not at all, as uniformtext "hide" does."""
        position = trace.get("textposition") or "auto"
        label = _at(trace.get("text"), i)
        if position == "none" or label in (None, ""):
            return ""
        font = trace.get("textfont") or {}
        size = _font_size({"size": _at(font.get("size"), i)}, self.font.get("size", 14))
        lines = _rich_lines(label)
        tw = _lines_width(lines, size)
        th = len(lines) * size * 1.3
        pad = 3
        horizontal = geo["horizontal"]
        inside_colour = _at(font.get("color"), i) or self.text_colour
        outside_colour = (
            (trace.get("outsidetextfont") or {}).get("color")
            or _at(font.get("color"), i)
            or self.text_colour
        )
        if position in ("auto", "inside"):
            # plotly fits a label inside flat or turned, whichever lets it be
            # larger, shrunk if need be (here never below MIN_FONT)
            flat = min((w - 2 * pad) / tw, (h - 2 * pad) / th) if tw else 1.0
            turned = 0.0
            if not horizontal and tw:
                turned = min((h - 2 * pad) / tw, (w - 2 * pad) / th)
            if flat >= 1:  # flat at full size when it fits: plotly's first choice
                choice, scale = "flat", 1.0
            elif turned >= 1:
                choice, scale = "turned", 1.0
            else:
                choice = "flat" if flat >= turned else "turned"
                scale = max(flat, turned)
                if size * scale < MIN_FONT:
                    choice = ""
                else:
                    size, tw, th = size * scale, tw * scale, th * scale
            if choice == "flat":
                if horizontal:
                    ex = x + pad if negative else x + w - pad
                    anchor = "start" if negative else "end"
                    return _text(
                        lines,
                        ex,
                        y + h / 2,
                        size=size,
                        colour=inside_colour,
                        anchor=anchor,
                    )
                ey, valign = (y + h - pad, "bottom") if negative else (y + pad, "top")
                return _text(
                    lines,
                    x + w / 2,
                    ey,
                    size=size,
                    colour=inside_colour,
                    anchor="middle",
                    valign=valign,
                )
            if choice == "turned":
                # turned to read down the column from its end, as plotly does
                ex, ey = x + w / 2, (y + h - pad if negative else y + pad)
                return _text(
                    lines,
                    ex,
                    ey,
                    size=size,
                    colour=inside_colour,
                    anchor="end" if negative else "start",
                    extra=f' transform="rotate(90 {_f(ex)} {_f(ey)})"',
                )
        if position not in ("auto", "outside") or (
            geo["stacked"] and position == "auto"
        ):
            return ""
        if (w if horizontal else h) == 0:
            return ""  # no bar to label (plotly writes none for a zero)
        if horizontal:
            if th > h + 4:
                return ""
            ex = x - pad if negative else x + w + pad
            return _text(
                lines,
                ex,
                y + h / 2,
                size=size,
                colour=outside_colour,
                anchor="end" if negative else "start",
            )
        if tw > w + 4:
            return ""  # wider than its column: it would cover the next one
        ey, valign = (y + h + pad, "top") if negative else (y - pad, "bottom")
        return _text(
            lines,
            x + w / 2,
            ey,
            size=size,
            colour=outside_colour,
            anchor="middle",
            valign=valign,
        )
