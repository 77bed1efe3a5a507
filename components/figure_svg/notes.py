"""Everything that is not a trace's mark: shapes (reference lines and
rectangles), annotations (the watermark among them), the figure's title and
the legend."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from components import theme
from components.figure_svg.paint import _at, _fill_attrs, _marker, _paint, _stroke_attrs
from components.figure_svg.text import (
    _esc,
    _f,
    _font_size,
    _lines_wide_width,
    _lines_width,
    _num,
    _rich_lines,
    _text,
    _title_of,
)


class Notes:
    """The renderer's shapes, annotations, figure title and legend (mixed
    into figure_svg.renderer's _Renderer, whose state they read)."""

    # -------------------------------------------------------------- shapes, notes

    def _px(
        self, ref: str | None, v: Any, letter: str, note: bool = False
    ) -> float | None:
        """A shape's or note's coordinate as a pixel: on the axis or as a
        fraction of the plot area ("paper"). A note on a log axis is placed
        by the value's logarithm (plotly's rule), a shape by the value."""
        if ref == "paper":
            n = _num(v)
            if n is None:
                return None
            if letter == "x":
                return self.ml + n * self.pw
            return self.mt + (1 - n) * self.ph
        if ref == "container":
            n = _num(v)
            if n is None:
                return None
            return n * self.width if letter == "x" else (1 - n) * self.height
        axis = self.x if letter == "x" else self.y
        if note and axis.type == "log":
            n = _num(v)
            return None if n is None else axis.pixel(n)
        return axis.at(v)

    def _figure_title(self) -> str:
        """layout.title, if a figure has one (the builders leave it to the
        card's heading): in the top margin, as plotly places it."""
        spec = self.layout.get("title")
        text = _title_of(spec)
        if not text:
            return ""
        spec = spec if isinstance(spec, dict) else {}
        font = spec.get("font") or {}
        x = float(spec.get("x", 0.5))
        anchor = {"left": "start", "right": "end"}.get(spec.get("xanchor"), "middle")
        if spec.get("xref") == "paper":
            px = self.ml + x * self.pw
        else:
            px = x * self.width + (4 if anchor == "start" else 0)
        return _text(
            _rich_lines(text),
            px,
            self.mt / 2,
            size=_font_size(font, 17),
            colour=font.get("color") or self.text_colour,
            anchor=anchor,
        )

    def _shapes(self, layer: str) -> str:
        out = []
        for shape in self.layout.get("shapes") or []:
            if (shape.get("layer") or "above") != layer:
                continue
            x0 = self._px(shape.get("xref", "x"), shape.get("x0"), "x")
            x1 = self._px(shape.get("xref", "x"), shape.get("x1"), "x")
            y0 = self._px(shape.get("yref", "y"), shape.get("y0"), "y")
            y1 = self._px(shape.get("yref", "y"), shape.get("y1"), "y")
            if None in (x0, x1, y0, y1):
                continue
            line = shape.get("line") or {}
            width = float(line.get("width", 2))
            stroke = (
                _stroke_attrs(line.get("color") or "#444444", width, line.get("dash"))
                if width > 0
                else 'stroke="none"'
            )
            kind = shape.get("type", "rect" if "fillcolor" in shape else "line")
            opacity = shape.get("opacity")
            extra = f' opacity="{float(opacity):.3g}"' if opacity is not None else ""
            name = _esc(str(shape.get("name", "")))
            if kind == "line":
                out.append(
                    f'<path data-shape="{name}" '
                    f'd="M{_f(x0)},{_f(y0)}L{_f(x1)},{_f(y1)}" '
                    f"{stroke}{extra}/>"
                )
            elif kind == "rect":
                fill = _fill_attrs(shape.get("fillcolor") or "none")
                out.append(
                    f'<rect data-shape="{name}" x="{_f(min(x0, x1))}" '
                    f'y="{_f(min(y0, y1))}" width="{_f(abs(x1 - x0))}" '
                    f'height="{_f(abs(y1 - y0))}" {fill} {stroke}{extra}/>'
                )
        return "".join(out)

    def _annotations(self) -> str:
        out = []
        for note in self.layout.get("annotations") or []:
            x = self._px(note.get("xref", "x"), note.get("x", 0.5), "x", note=True)
            y = self._px(note.get("yref", "y"), note.get("y", 0.5), "y", note=True)
            if x is None or y is None or note.get("visible") is False:
                continue
            x += float(note.get("xshift") or 0)
            y -= float(note.get("yshift") or 0)
            font = note.get("font") or {}
            size = _font_size(font, self.font.get("size", 14))
            colour = font.get("color") or self.text_colour
            lines = _rich_lines(note.get("text", ""))
            w = _lines_width(lines, size) + 2
            h = len(lines) * size * 1.3 + 2
            angle = float(note.get("textangle") or 0)
            rad = math.radians(angle)
            bw = abs(w * math.cos(rad)) + abs(h * math.sin(rad))
            bh = abs(w * math.sin(rad)) + abs(h * math.cos(rad))
            xanchor = note.get("xanchor") or "auto"
            yanchor = note.get("yanchor") or "auto"
            cx = {"left": x + bw / 2, "right": x - bw / 2}.get(xanchor, x)
            # kept on the drawing: past its edge a note would be cut off
            cx = min(max(cx, bw / 2), self.width - bw / 2)
            cy = {"top": y + bh / 2, "bottom": y - bh / 2}.get(yanchor, y)
            align = note.get("align") or "center"
            tx = {"left": cx - w / 2 + 1, "right": cx + w / 2 - 1}.get(align, cx)
            anchor = {"left": "start", "right": "end"}.get(align, "middle")
            parts = []
            if note.get("bgcolor"):
                parts.append(
                    f'<rect x="{_f(cx - w / 2)}" y="{_f(cy - h / 2)}" width="{_f(w)}" '
                    f'height="{_f(h)}" {_fill_attrs(note["bgcolor"])}/>'
                )
            parts.append(_text(lines, tx, cy, size=size, colour=colour, anchor=anchor))
            attrs = ""
            if angle:
                attrs += f' transform="rotate({_f(angle)} {_f(cx)} {_f(cy)})"'
            if note.get("opacity") is not None:
                attrs += f' opacity="{float(note["opacity"]):.3g}"'
            name = note.get("name")
            if name:
                attrs += f' data-note="{_esc(str(name))}"'
            out.append(f"<g{attrs}>{''.join(parts)}</g>")
        return "".join(out)

    # -------------------------------------------------------------- legend

    def _shows_legend(self, entries: list[dict]) -> bool:
        shown = self.layout.get("showlegend")
        if shown is not None:
            return bool(shown)
        return len(entries) > 1 or any(t.get("showlegend") is True for t in entries)

    def _legend_items(self) -> list[dict]:
        entries = [t for t in self.traces if t.get("showlegend", True) is not False]
        if not self._shows_legend(entries):
            return []
        order = (self.layout.get("legend") or {}).get("traceorder")
        stacked = self.layout.get("barmode") in ("stack", "relative")
        if order is None and stacked and any(t.get("type") == "bar" for t in entries):
            return entries[::-1]  # plotly lists stacked bars top first
        if order is None and any(t.get("legendgroup") for t in entries):
            groups: dict[Any, list[dict]] = {}
            for t in entries:
                groups.setdefault(t.get("legendgroup"), []).append(t)
            entries = [t for group in groups.values() for t in group]
        return entries

    def _legend(self, entries: list[dict]) -> Callable[[], str]:
        """Lay the legend out now (it may push the plot down, as plotly's
        automargin does) and return the function that draws it once the
        plot area is fixed."""
        if not entries:
            return lambda: ""
        spec = self.layout.get("legend") or {}
        font = spec.get("font") or {}
        size = _font_size(font, 13)
        colour = font.get("color") or self.text_colour
        horizontal = spec.get("orientation", "v") == "h"
        row_h = 20.0 if horizontal else 30.0
        items = []
        for t in entries:
            lines = _rich_lines(t.get("name", ""))
            # the text's room by the widest font it may be set in (DejaVu
            # Sans on a Linux desktop, ~6% wider than the average estimate):
            # the next entry's key comes right after it
            items.append((t, lines, 40 + _lines_wide_width(lines, size) + 12))
        available = self.width - self.ml - self.mr
        widest = max(item[2] for item in items)
        grouped = "grouped" in (spec.get("traceorder") or "") or (
            spec.get("traceorder") is None
            and any(t.get("legendgroup") for t in entries)
        )
        if horizontal and not grouped and sum(i[2] for i in items) > available:
            # wrapped, every entry takes the widest one's room: columns line
            # up (plotly's layout; grouped entries flow instead)
            items = [(t, lines, widest) for t, lines, _ in items]
        rows: list[list] = [[]]
        used = 0.0
        for item in items:
            if rows[-1] and (not horizontal or used + item[2] > available):
                rows.append([])
                used = 0.0
            rows[-1].append(item)
            used += item[2]
        height = len(rows) * row_h + 12  # and plotly's padding
        yref = spec.get("yref", "paper")
        y = float(spec.get("y", 1 if not horizontal else 1.02))
        yanchor = spec.get("yanchor") or ("bottom" if y > 1 else "top")
        if yref == "paper" and y >= 1 and yanchor == "bottom":
            # above the plot: the top margin grows to hold every row
            need = height + (y - 1) * max(self.height - self.mt - self.mb, 10) + 2
            self.mt = max(self.mt, need)

        def draw() -> str:
            if yref == "container":
                top = (1 - y) * self.height
            else:
                top = self.mt + (1 - y) * self.ph
            if yanchor == "bottom":
                top -= height
            elif yanchor == "middle":
                top -= height / 2
            left = self.ml + float(spec.get("x", 0)) * self.pw
            out = ['<g data-role="legend">']
            for r, row in enumerate(rows):
                cx = left
                cy = top + 6 + r * row_h + row_h / 2
                for trace, lines, width in row:
                    out.append(self._legend_key(trace, cx, cy))
                    out.append(_text(lines, cx + 40, cy, size=size, colour=colour))
                    cx += width
            out.append("</g>")
            return "".join(out)

        return draw

    def _legend_key(self, trace: dict, x: float, y: float) -> str:
        kind = trace.get("type", "scatter")
        marker = trace.get("marker") or {}
        if kind == "bar":
            colour = _at(marker.get("color"), 0, theme.PALETTE[0])
            line = marker.get("line") or {}
            rect = f'x="{_f(x + 14)}" y="{_f(y - 6)}" width="12" height="12"'
            stroke = ""
            if (line.get("width") or 0) and line.get("color"):
                stroke = " " + _stroke_attrs(
                    _at(line["color"], 0), float(line["width"])
                )
            out = f"<rect {rect} {_fill_attrs(colour)}{stroke}/>"
            shape = _at((marker.get("pattern") or {}).get("shape"), 0, "")
            if shape:
                pid = self._pattern({**marker["pattern"], "shape": shape}, colour)
                out += f'<rect {rect} fill="url(#{pid})"/>'
            return out
        out = []
        mode = trace.get("mode") or "lines+markers"
        line = trace.get("line") or {}
        if trace.get("fill") in ("toself", "tonexty", "tozeroy"):
            edge = ""
            if trace.get("fill") == "toself" and (line.get("width") or 0) > 0:
                edge = " " + _stroke_attrs(line.get("color"), float(line["width"]))
            out.append(
                f'<rect x="{_f(x + 5)}" y="{_f(y - 6)}" width="30" height="12" '
                f"{_fill_attrs(trace.get('fillcolor') or line.get('color'))}{edge}/>"
            )
        width = float(line.get("width", 2))
        if "lines" in mode and width > 0 and trace.get("fill") != "toself":
            out.append(
                f'<path d="M{_f(x + 5)},{_f(y)}H{_f(x + 35)}" '
                f"{_stroke_attrs(line.get('color'), min(width, 5), line.get('dash'))}/>"
            )
        if "markers" in mode:
            colour = _at(marker.get("color"), 0, line.get("color"))
            if _paint(colour)[1] > 0:
                out.append(
                    _marker(
                        x + 20,
                        y,
                        str(_at(marker.get("symbol", "circle"), 0, "circle")),
                        min(float(_at(marker.get("size", 6), 0, 6)), 16),
                        colour,
                        marker.get("line") or {},
                    )
                )
        return "".join(out)
