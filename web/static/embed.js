/* Embeds: draw the static plotly figure from the page's JSON data island (not
   executed, so the CSP needs no inline script). Gallery: "Copy" buttons. */
(function () {
  "use strict";

  function draw() {
    var island = document.getElementById("embed-figure");
    var target = document.getElementById("embed-plot");
    if (!island || !target || !window.Plotly) {
      return;
    }
    var fig = JSON.parse(island.textContent);
    var layout = fig.layout || {};
    var narrow = target.clientWidth < 560;
    layout.autosize = true;
    delete layout.width;
    if (narrow) {
      layout.margin = { l: 8, r: 8, t: 56, b: 40, autoexpand: true };
      layout.font = Object.assign({}, layout.font || {}, { size: 11 });
      (layout.annotations || []).forEach(function (a) {
        if (a.name === "illustrative-watermark") {
          a.font = Object.assign({}, a.font || {}, { size: 26 });
        }
      });
    }
    window.Plotly.newPlot(target, fig.data || [], layout, {
      responsive: true,
      displayModeBar: false,
      displaylogo: false,
      scrollZoom: false,
      staticPlot: false
    });
    // A scroll bar appearing narrows the page without a window resize event.
    // The observer also reports the size it starts with: redrawing then would
    // draw the chart twice (a long task on a phone), so only a new width counts.
    if (window.ResizeObserver) {
      var drawnWidth = target.clientWidth;
      new window.ResizeObserver(function () {
        if (target.clientWidth === drawnWidth) {
          return;
        }
        drawnWidth = target.clientWidth;
        window.Plotly.Plots.resize(target);
      }).observe(target);
    }
  }

  function copyButtons() {
    var buttons = document.querySelectorAll("[data-copy-target]");
    Array.prototype.forEach.call(buttons, function (button) {
      button.addEventListener("click", function () {
        var field = document.getElementById(button.getAttribute("data-copy-target"));
        var status = document.getElementById(button.getAttribute("data-copy-status"));
        field.select();
        var done = function () {
          if (status) {
            status.textContent = "Copied to the clipboard.";
          }
        };
        if (navigator.clipboard && navigator.clipboard.writeText) {
          navigator.clipboard.writeText(field.value).then(done, function () {
            document.execCommand("copy");
            done();
          });
        } else {
          document.execCommand("copy");
          done();
        }
      });
    });
  }

  function start() {
    draw();
    copyButtons();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
