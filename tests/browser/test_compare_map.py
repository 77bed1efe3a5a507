"""/compare's server-drawn map in a browser, its areas drawn with <use> from the
long-cached outlines file (components/figure_svg/symbols.py; issue 19): every
area shows with no plotly.js, with its hover text, from this site only, and
"Download PNG" saves the map with its areas (an SVG drawn as an image loads
nothing from outside itself, so the areas are copied in first:
assets/vru-components.js inlineUses)."""

from __future__ import annotations

from tests.browser.conftest import (
    PNG_BUTTON,
    axe_violations,
    open_page,
    plotly_loaded,
    sign_in,
    start,
    wait_for_svg_chart,
)

# The PNG's pixels in the map's comparison colours (components.theme
# SIGNIFICANCE: worse, better, similar), counted on a canvas.
_PNG_COLOURS = """
const done = arguments[arguments.length - 1];
const want = arguments[0];
const started = Date.now();
(function look() {
  const saved = window.vruDownloads[0];
  if (!saved) {
    if (Date.now() - started > 8000) { done(null); return; }
    setTimeout(look, 50);
    return;
  }
  const image = new Image();
  image.onload = () => {
    const canvas = document.createElement("canvas");
    canvas.width = image.width;
    canvas.height = image.height;
    const context = canvas.getContext("2d");
    context.drawImage(image, 0, 0);
    const data = context.getImageData(0, 0, image.width, image.height).data;
    let coloured = 0;
    for (let i = 0; i < data.length; i += 4) {
      for (const [r, g, b] of want) {
        if (Math.abs(data[i] - r) + Math.abs(data[i + 1] - g)
            + Math.abs(data[i + 2] - b) < 12) { coloured += 1; break; }
      }
    }
    done({name: saved.name, width: image.width, coloured: coloured});
  };
  image.src = saved.href;
})();
"""

_INTERCEPT = """
window.vruDownloads = [];
const click = HTMLAnchorElement.prototype.click;
HTMLAnchorElement.prototype.click = function () {
  if (this.download) {
    window.vruDownloads.push({name: this.download, href: this.href});
    return;
  }
  return click.call(this);
};
"""


def _rgb(colour: str) -> list[int]:
    return [int(colour[i : i + 2], 16) for i in (1, 3, 5)]


def test_the_map_draws_its_areas_from_the_outlines_file(dash_duo, browser_app):
    from components import theme

    app, passwords = browser_app
    base = start(dash_duo, app)
    sign_in(dash_duo, base, "admin", passwords["admin"])
    open_page(dash_duo, base, "/compare?measure=knife_offences&period=2018-04")
    wait_for_svg_chart(dash_duo, "compare-map", timeout=45)
    driver = dash_duo.driver
    # Each area's <use> draws its outline (an empty box where the file's path
    # was not found), and the point at its middle is that area, with its
    # hover text as its <title>.
    areas = driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        const started = Date.now();
        (function look() {
         try {
          const uses = [...document.querySelectorAll("#compare-map-plot svg use")];
          const boxes = uses.map(u => u.getBBox());
          if (uses.length && boxes.every(b => b.width > 0)
              || Date.now() - started > 8000) {
            if (!uses.length) { done({n: 0}); return; }
            const met = uses.find(u => u.getAttribute("href").endsWith("#E23000001"));
            met.scrollIntoView({block: "center", behavior: "instant"});
            const box = met.getBoundingClientRect();
            const hit = document.elementFromPoint(
              box.left + box.width / 2, box.top + box.height / 2);
            done({
              n: uses.length,
              drawn: boxes.filter(b => b.width > 2 && b.height > 2).length,
              hit: hit === met,
              title: met.querySelector("title").textContent,
              hosts: [...new Set(performance.getEntriesByType("resource")
                .map(e => new URL(e.name).host))],
            });
            return;
          }
          setTimeout(look, 100);
         } catch (error) { done({error: String(error)}); }
        })();
        """
    )
    assert areas["n"] == areas["drawn"] == 43, areas
    assert areas["hit"], "the middle of the Metropolitan Police area is not its area"
    assert areas["title"].startswith("Metropolitan Police\n")
    assert areas["hosts"] == [base.split("//")[1]]  # nothing from another host
    assert not plotly_loaded(driver)["running"]
    assert axe_violations(dash_duo) == []

    # "Download PNG": the map's areas are in the image (about 800,000 pixels
    # at 3x in the comparison colours; only the legend's keys, about 9,000,
    # with the areas blank)
    driver.execute_script(_INTERCEPT)
    button = dash_duo.find_element(f"#compare-map-plot {PNG_BUTTON}")
    driver.execute_script("arguments[0].click()", button)
    colours = [
        _rgb(theme.SIGNIFICANCE[key].colour) for key in ("worse", "better", "similar")
    ]
    png = driver.execute_async_script(_PNG_COLOURS, colours)
    assert png is not None, "no PNG was offered for download"
    assert png["name"] == "compare-map.png" and png["width"] == 641 * 3
    assert png["coloured"] > 100_000, png
