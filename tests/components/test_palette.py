"""The one comparison palette (theme.SIGNIFICANCE) is colour-blind safe, checked
with an independent simulation written here: Machado, Oliveira & Fernandes (2009),
"A physiologically-based model for simulation of color vision deficiency", IEEE
TVCG 15(6), full-severity matrices on linear sRGB, then CIE76 colour difference in
CIELAB (D65). Red by the palette it replaced: turquoise "better" and dark pink
"worse" were only 27 apart for deuteranopes, and "similar" was an amber orange."""

import numpy as np
import pytest

from components import theme

MACHADO = {
    "normal": np.eye(3),
    "protanopia": np.array(
        [
            [0.152286, 1.052583, -0.204868],
            [0.114503, 0.786281, 0.099216],
            [-0.003882, -0.048116, 1.051998],
        ]
    ),
    "deuteranopia": np.array(
        [
            [0.367322, 0.860646, -0.227968],
            [0.280085, 0.672501, 0.047413],
            [-0.011820, 0.042940, 0.968881],
        ]
    ),
    "tritanopia": np.array(
        [
            [1.255528, -0.076749, -0.178779],
            [-0.078411, 0.930809, 0.147602],
            [0.004733, 0.691367, 0.303900],
        ]
    ),
}


def _linear(hex_colour: str) -> np.ndarray:
    c = np.array([int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab(linear_rgb: np.ndarray) -> np.ndarray:
    rgb = np.clip(linear_rgb, 0, 1)
    xyz = (
        np.array(
            [
                [0.4124, 0.3576, 0.1805],
                [0.2126, 0.7152, 0.0722],
                [0.0193, 0.1192, 0.9505],
            ]
        )
        @ rgb
    ) / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 216 / 24389, np.cbrt(xyz), (24389 / 27 * xyz + 16) / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def _difference(a: str, b: str, vision: str) -> float:
    m = MACHADO[vision]
    return float(np.linalg.norm(_lab(m @ _linear(a)) - _lab(m @ _linear(b))))


@pytest.mark.parametrize("vision", list(MACHADO))
def test_better_similar_worse_not_compared_stay_apart(vision):
    colours = {k: theme.SIGNIFICANCE[k].colour for k in theme.SIGNIFICANCE}
    # The judgement pair must be far apart for everyone (the old pair: 27).
    assert _difference(colours["better"], colours["worse"], vision) > 60
    judged = ["better", "similar", "worse", "not compared"]
    for i, a in enumerate(judged):
        for b in judged[i + 1 :]:
            assert _difference(colours[a], colours[b], vision) > 20, (vision, a, b)


def test_similar_is_neutral_and_every_category_has_its_own_cues():
    lab = _lab(_linear(theme.SIGNIFICANCE["similar"].colour))
    assert np.hypot(lab[1], lab[2]) < 5  # achromatic: never reads as amber
    styles = list(theme.SIGNIFICANCE.values())
    for attribute in ("colour", "pattern", "symbol", "label"):
        values = [getattr(s, attribute) for s in styles]
        assert len(set(values)) == len(values), attribute
