"""Making Data Count icons: one for every verdict the SPC engine gives, well-formed
SVG, a letter or shape besides colour, colours of at least 3:1 on white (WCAG
1.4.11, computed here from the WCAG relative-luminance formula), and alt text
where an icon stands alone."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from components import spc_icons
from data_access import spc


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [
        c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels
    ]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast_on_white(hex_colour: str) -> float:
    return 1.05 / (_luminance(hex_colour) + 0.05)


@pytest.mark.parametrize("variation", spc.VARIATIONS)
def test_every_variation_has_a_well_formed_icon(variation):
    svg = spc_icons.variation_svg(variation)
    root = ET.fromstring(svg)
    assert root.get("aria-hidden") == "true"
    # A shape or a letter besides colour: text, a path or several dots.
    assert re.search(r"<text|<path|(<circle.*){3}", svg)


@pytest.mark.parametrize("assurance", spc.ASSURANCES)
def test_every_assurance_has_a_lettered_icon(assurance):
    root = ET.fromstring(spc_icons.assurance_svg(assurance))
    letters = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert letters and letters[0] in {"P", "F", "?"}


@pytest.mark.parametrize(
    "colour",
    [
        spc_icons.IMPROVING,
        spc_icons.CONCERNING,
        spc_icons.NEUTRAL,
        spc_icons.COMMON,
    ],
)
def test_icon_colours_have_three_to_one_contrast(colour):
    assert _contrast_on_white(colour) >= 3


def test_icons_alone_carry_their_words_and_beside_words_are_decorative():
    alone = spc_icons.variation_icon("improving high", "Improving (higher)")
    assert alone.alt == "Improving (higher)"
    summary = spc_icons.spc_summary(
        variation="concerning low",
        variation_words="Concerning (lower)",
        assurance="hit and miss",
        assurance_words="Met and missed at random",
    )
    images = [part.children[0] for part in summary.children]
    words = [part.children[1].children for part in summary.children]
    assert [img.alt for img in images] == ["", ""]
    assert words == ["Concerning (lower)", "Met and missed at random"]
