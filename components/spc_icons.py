"""Making Data Count variation and assurance icons, as SVG with words beside them.

NHS England's *Making Data Count* summarises an SPC chart by two icons: variation
(common cause; special cause improving, concerning or, for measures with no
polarity, neither; high or low) and assurance (the target consistently met,
consistently missed, or hit and miss). These follow its shapes and colour logic:
blue for improvement and for a target consistently met, orange for concern and a
target consistently missed, purple for a change with no judgement, grey for common
cause and hit and miss. Colours have at least 3:1 contrast on white (WCAG 1.4.11)
and are never the only cue: every icon carries a letter or shape and is shown with
its words (`spc_summary`), or carries them as its alt text where it stands alone.

One SVG source serves the pages (as data URIs) and anything exported later.
"""

from __future__ import annotations

from urllib.parse import quote

from dash import html

from components.theme import SECONDARY_TEXT, WHITE

IMPROVING = "#1D70B8"  # GOV.UK blue, 5.2:1 on white
CONCERNING = "#B35900"  # dark orange, 4.8:1 on white
NEUTRAL = "#4C2C92"  # GOV.UK purple, 10:1 on white
COMMON = SECONDARY_TEXT

# Variation: (colour, letter, arrow) - the arrow points the way the series moved.
_VARIATION = {
    "common cause": (COMMON, "", ""),
    "improving high": (IMPROVING, "H", "up"),
    "improving low": (IMPROVING, "L", "down"),
    "concerning high": (CONCERNING, "H", "up"),
    "concerning low": (CONCERNING, "L", "down"),
    "special cause high": (NEUTRAL, "H", "up"),
    "special cause low": (NEUTRAL, "L", "down"),
    "not assessed": (COMMON, "?", ""),
}
_ASSURANCE = {
    "consistently passing": (IMPROVING, "P"),
    "consistently failing": (CONCERNING, "F"),
    "hit and miss": (COMMON, "?"),
}


def _circle(colour: str, inner: str) -> str:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40" width="40" '
        'height="40" aria-hidden="true" focusable="false">'
        f'<circle cx="20" cy="20" r="18" fill="{WHITE}" stroke="{colour}" '
        f'stroke-width="3"/>{inner}</svg>'
    )


def _letter(colour: str, letter: str, y: int = 26) -> str:
    return (
        f'<text x="20" y="{y}" text-anchor="middle" font-family="Arial, sans-serif" '
        f'font-size="17" font-weight="700" fill="{colour}">{letter}</text>'
    )


COMMON_CAUSE_DOTS = ((9, 22), (15, 18), (20, 23), (25, 18), (31, 21))


def variation_parts(variation: str) -> tuple[str, str, str]:
    """(colour, letter, arrow "up" / "down" / "") of a variation icon, for a
    renderer that draws it from shapes (the PowerPoint pack) as the SVG is drawn
    (on a 40 x 40 grid: ring of radius 18, `COMMON_CAUSE_DOTS` for common cause)."""
    return _VARIATION[variation]


def assurance_parts(assurance: str) -> tuple[str, str]:
    """(colour, letter) of an assurance icon (a ring with a letter)."""
    return _ASSURANCE[assurance]


def variation_svg(variation: str) -> str:
    """The variation icon for one of `data_access.spc.VARIATIONS`."""
    colour, letter, arrow = _VARIATION[variation]
    if variation == "common cause":
        # A flat run of dots: the process is stable.
        dots = "".join(
            f'<circle cx="{x}" cy="{y}" r="2.6" fill="{colour}"/>'
            for x, y in COMMON_CAUSE_DOTS
        )
        return _circle(colour, dots)
    inner = _letter(colour, letter, 24 if arrow else 26)
    if arrow == "up":
        inner += f'<path d="M14 33 L20 28 L26 33" fill="none" stroke="{colour}" '
        inner += 'stroke-width="2.5"/>'
    elif arrow == "down":
        inner += f'<path d="M14 28 L20 33 L26 28" fill="none" stroke="{colour}" '
        inner += 'stroke-width="2.5"/>'
    return _circle(colour, inner)


def assurance_svg(assurance: str) -> str:
    """The assurance icon for one of `data_access.spc.ASSURANCES`."""
    colour, letter = _ASSURANCE[assurance]
    return _circle(colour, _letter(colour, letter))


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;charset=utf-8," + quote(svg)


def _img(svg: str, alt: str) -> html.Img:
    return html.Img(
        src=_data_uri(svg),
        alt=alt,
        title=alt or None,
        className="spc-icon",
        width=28,
        height=28,
    )


def variation_icon(variation: str, words: str) -> html.Img:
    """The icon alone, its words as alt text (for tables and tight spaces)."""
    return _img(variation_svg(variation), words)


def assurance_icon(assurance: str, words: str) -> html.Img:
    return _img(assurance_svg(assurance), words)


def spc_summary(
    *,
    variation: str,
    variation_words: str,
    assurance: str | None = None,
    assurance_words: str | None = None,
) -> html.Div:
    """Both icons with their words written out beside them (the words are the
    content; the icons are decoration for sighted readers, so their alt is empty)."""
    pairs = [(variation_svg(variation), variation_words)]
    if assurance and assurance_words:
        pairs.append((assurance_svg(assurance), assurance_words))
    return html.Div(
        [
            html.Span([_img(svg, ""), html.Span(words)], className="spc-badge")
            for svg, words in pairs
        ],
        className="spc-summary",
    )
