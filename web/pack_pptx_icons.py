"""Making Data Count icons drawn from editable PowerPoint shapes, as
components.spc_icons draws them in SVG (the same colours, letters, arrows and dots
on its 40 x 40 grid): python-pptx places no SVG, and a picture would need a
rasteriser the app does not ship. Each icon is a group with alternative text."""

from __future__ import annotations

from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Emu, Pt

from components.spc_icons import COMMON_CAUSE_DOTS, assurance_parts, variation_parts

WHITE = RGBColor(0xFF, 0xFF, 0xFF)


def _rgb(colour: str) -> RGBColor:
    return RGBColor.from_string(colour.lstrip("#").upper())


def draw_icon(page, *, kind: str, value: str, left, top, size, alt: str):
    """A variation (kind "variation", one of spc.VARIATIONS) or assurance icon
    (kind "assurance", one of spc.ASSURANCES), `size` EMU square at (left, top)."""
    if kind == "variation":
        colour_hex, letter, arrow = variation_parts(value)
    else:
        (colour_hex, letter), arrow = assurance_parts(value), ""
    colour = _rgb(colour_hex)
    group = page.shapes.add_group_shape()
    group.name = f"{kind.capitalize()} icon"
    unit = size / 40  # the SVG's 40 x 40 grid

    def at(x: float, y: float):
        return Emu(int(left + unit * x)), Emu(int(top + unit * y))

    def plain(shape, fill=None):
        if fill is None:
            shape.fill.background()
        else:
            shape.fill.solid()
            shape.fill.fore_color.rgb = fill
        shape.shadow.inherit = False
        return shape

    ring = plain(
        group.shapes.add_shape(MSO_SHAPE.OVAL, *at(2, 2), unit * 36, unit * 36), WHITE
    )
    ring.line.color.rgb = colour
    ring.line.width = Emu(int(unit * 3))
    if kind == "variation" and value == "common cause":
        for x, y in COMMON_CAUSE_DOTS:
            dot = group.shapes.add_shape(
                MSO_SHAPE.OVAL, *at(x - 2.6, y - 2.6), unit * 5.2, unit * 5.2
            )
            plain(dot, colour).line.fill.background()
    else:
        mark = group.shapes.add_textbox(*at(4, 5 if arrow else 8), unit * 32, unit * 22)
        frame = mark.text_frame
        frame.margin_left = frame.margin_right = 0
        frame.margin_top = frame.margin_bottom = 0
        frame.vertical_anchor = MSO_ANCHOR.MIDDLE
        frame.text = letter
        paragraph = frame.paragraphs[0]
        paragraph.alignment = PP_ALIGN.CENTER
        paragraph.font.size = Pt(max(6, round(size / 12700 * 17 / 40)))
        paragraph.font.bold = True
        paragraph.font.color.rgb = colour
        if arrow:
            ys = (33, 28, 33) if arrow == "up" else (28, 33, 28)
            builder = group.shapes.build_freeform(*at(14, ys[0]), scale=1.0)
            builder.add_line_segments([at(20, ys[1]), at(26, ys[2])], close=False)
            chevron = plain(builder.convert_to_shape())
            chevron.line.color.rgb = colour
            chevron.line.width = Emu(int(unit * 2.5))
    group._element.nvGrpSpPr.cNvPr.set("descr", alt)
    return group


__all__ = ["draw_icon"]
