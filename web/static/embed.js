/* Embeds: draw the static figure from the page's JSON data island (not executed,
   so the CSP needs no inline script) as one plain SVG. Gallery: "Copy" buttons.

   Why not plotly.js here: on a phone, plotly's start-up and its first draw (the
   automargin pass lays the chart out twice) were long main-thread tasks that
   cost the embed its Lighthouse mobile score, and an embed is a static picture
   (its values are in the table and the CSV). This draws the subset of plotly's
   figure format that components/chart.py produces for embeds: category axis plus
   value axis, scatter lines/markers/text/"tonexty" bands, grouped/stacked/horizontal
   bars with fill patterns and error bars, line shapes, annotations (the
   "Illustrative data" watermark) and a legend. Margins are measured from the
   real label widths before drawing, so labels are not clipped, in one pass.
   Hover texts become SVG <title>s (a tooltip on mouse hover). */
(function () {
  "use strict";

  var SVGNS = "http://www.w3.org/2000/svg";
  var COLORWAY = ["#12436D", "#28A197", "#801650", "#F46A25", "#3D3D3D", "#A285D1"];
  var measureContext = null;

  function merge() {
    var out = {};
    for (var i = 0; i < arguments.length; i += 1) {
      var source = arguments[i] || {};
      for (var key in source) {
        if (Object.prototype.hasOwnProperty.call(source, key)) {
          out[key] = source[key];
        }
      }
    }
    return out;
  }

  function node(name, attrs, parent) {
    var element = document.createElementNS(SVGNS, name);
    for (var key in attrs) {
      if (attrs[key] !== undefined && attrs[key] !== null) {
        element.setAttribute(key, attrs[key]);
      }
    }
    if (parent) {
      parent.appendChild(element);
    }
    return element;
  }

  // Label text: plotly's <br> is a new line, <b> bold; other tags are dropped.
  function plain(text) {
    return String(text === undefined || text === null ? "" : text);
  }

  // Text as plotly shows it: tags dropped, then the entities that escaped
  // text (users' annotation labels) carries turned back into characters.
  function lines(text) {
    return plain(text).split(/<br\s*\/?>/i).map(function (line) {
      return line.replace(/<[^>]*>/g, "")
        .replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, "\"")
        .replace(/&#x27;|&#39;/g, "'").replace(/&amp;/g, "&");
    });
  }

  function isBold(text) {
    return /^\s*<b>/i.test(plain(text));
  }

  function textWidth(text, size, family, bold) {
    if (!measureContext) {
      measureContext = document.createElement("canvas").getContext("2d");
    }
    measureContext.font = (bold ? "700 " : "") + size + "px " + family;
    return Math.max.apply(null, lines(text).map(function (line) {
      return measureContext.measureText(line).width;
    }));
  }

  function isNumber(value) {
    return typeof value === "number" && isFinite(value);
  }

  function title(parent, hover) {
    if (hover !== undefined && hover !== null && hover !== "") {
      node("title", {}, parent).textContent = lines(hover).join("\n");
    }
  }

  // Tick values: 1, 2 or 5 times a power of ten, about `count` of them.
  function niceTicks(lo, hi, count) {
    var span = hi - lo || 1;
    var raw = span / Math.max(count, 1);
    var power = Math.pow(10, Math.floor(Math.log(raw) / Math.LN10));
    var step = [1, 2, 2.5, 5, 10].map(function (f) { return f * power; })
      .filter(function (s) { return s >= raw; })[0];
    var ticks = [];
    for (var v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) {
      ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
    }
    var decimals = Math.max(0, -Math.floor(Math.log(step) / Math.LN10 + 1e-9));
    if (step === 2.5 * power && power < 10) {
      decimals += 1; // 0.25, 2.5
    }
    return ticks.map(function (t) {
      return { value: t, text: formatNumber(t, decimals) };
    });
  }

  function formatNumber(value, decimals) {
    var parts = Math.abs(value).toFixed(decimals).split(".");
    parts[0] = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return (value < 0 ? "\u2212" : "") + parts.join(".");
  }

  // plotly's dash names, scaled by the line width as plotly does.
  function dashArray(dash, width) {
    var w = Math.max(width || 2, 3);
    var styles = {
      dot: [w, w],
      dash: [3 * w, 3 * w],
      longdash: [5 * w, 5 * w],
      dashdot: [3 * w, w, w, w],
      longdashdot: [5 * w, 2 * w, w, 2 * w]
    };
    return styles[dash] ? styles[dash].join(",") : null;
  }

  function patternPath(shape, s) {
    var h = s / 2;
    var slash = "M0," + s + "L" + s + ",0M" + -h + "," + h + "L" + h + "," + -h +
      "M" + h + "," + (s + h) + "L" + (s + h) + "," + h;
    var back = "M0,0L" + s + "," + s + "M" + -h + "," + h + "L" + h + "," + (s + h) +
      "M" + h + "," + -h + "L" + (s + h) + "," + h;
    var paths = {
      "/": slash,
      "\\": back,
      x: slash + back,
      "-": "M0," + h + "L" + s + "," + h,
      "|": "M" + h + ",0L" + h + "," + s,
      "+": "M0," + h + "L" + s + "," + h + "M" + h + ",0L" + h + "," + s,
      ".": "M" + (h - 0.5) + "," + h + "h1" // a dot: a short line with round caps
    };
    return paths[shape] || null;
  }

  // The marker symbols the theme uses (plotly's names); others draw a circle.
  function markerShape(parent, symbol, x, y, r, attrs) {
    var name = String(symbol || "circle");
    if (name.indexOf("square") === 0) {
      return node("rect", merge(attrs, { x: x - r, y: y - r, width: 2 * r, height: 2 * r }), parent);
    }
    if (name.indexOf("diamond") === 0) {
      var d = r * 1.3;
      return node("path", merge(attrs, { d: "M" + x + "," + (y - d) + "l" + d + "," + d + "l" + -d + "," + d + "l" + -d + "," + -d + "Z" }), parent);
    }
    if (name.indexOf("triangle-down") === 0) {
      return node("path", merge(attrs, { d: "M" + x + "," + (y + r * 1.2) + "l" + r * 1.2 + "," + -r * 2 + "h" + -r * 2.4 + "Z" }), parent);
    }
    if (name === "x" || name === "cross") {
      var a = r * 0.45;
      var b = r * 1.1;
      var plus = "M" + (x - a) + "," + (y - b) + "h" + 2 * a + "v" + (b - a) + "h" + (b - a) + "v" + 2 * a + "h" + (a - b) +
        "v" + (b - a) + "h" + -2 * a + "v" + (a - b) + "h" + (a - b) + "v" + -2 * a + "h" + (b - a) + "Z";
      return node("path", merge(attrs, { d: plus, transform: name === "x" ? "rotate(45 " + x + " " + y + ")" : null }), parent);
    }
    if (name.indexOf("triangle") === 0) {
      return node("path", merge(attrs, { d: "M" + x + "," + (y - r * 1.2) + "l" + r * 1.2 + "," + r * 2 + "h" + -r * 2.4 + "Z" }), parent);
    }
    return node("circle", merge(attrs, { cx: x, cy: y, r: r }), parent);
  }

  function render(target, fig, narrow) {
    var data = (fig.data || []).filter(function (t) { return t.visible !== false; });
    var layout = fig.layout || {};
    var theme = (layout.template && layout.template.layout) || {};
    var width = target.clientWidth;
    var height = layout.height || 400;
    var font = merge(theme.font, layout.font);
    var family = font.family || "sans-serif";
    var textColor = font.color || "#0B0C0C";
    var baseSize = narrow ? 11 : font.size || 14;
    var colorway = theme.colorway || COLORWAY;
    var horizontal = data.some(function (t) {
      return t.type === "bar" && t.orientation === "h";
    });
    var catKey = horizontal ? "yaxis" : "xaxis";
    var valKey = horizontal ? "xaxis" : "yaxis";
    var catAxis = merge(theme[catKey], layout[catKey]);
    var valAxis = merge(theme[valKey], layout[valKey]);
    var tickSize = narrow ? 11 : (catAxis.tickfont && catAxis.tickfont.size) || 13;
    var tickLen = catAxis.ticklen || 4;
    var barmode = layout.barmode || theme.barmode || "group";
    var bargap = layout.bargap !== undefined ? layout.bargap : theme.bargap !== undefined ? theme.bargap : 0.2;
    var bars = data.filter(function (t) { return t.type === "bar"; });
    var marginSpec = merge(theme.margin, layout.margin);
    var margin = {
      t: marginSpec.t !== undefined ? marginSpec.t : 48,
      r: narrow ? 8 : marginSpec.r !== undefined ? marginSpec.r : 24,
      b: narrow ? 8 : marginSpec.b !== undefined ? marginSpec.b : 16,
      l: narrow ? 8 : marginSpec.l !== undefined ? marginSpec.l : 16
    };

    function cats(t) { return (horizontal ? t.y : t.x) || []; }
    function vals(t) { return (horizontal ? t.x : t.y) || []; }

    // Categories: the axis's own order, then in order of appearance (as plotly).
    var categories = (catAxis.categoryarray || []).map(String);
    var index = {};
    categories.forEach(function (c, i) { index[c] = i; });
    data.forEach(function (t) {
      cats(t).forEach(function (c) {
        if (!(String(c) in index)) {
          index[String(c)] = categories.length;
          categories.push(String(c));
        }
      });
    });
    var n = Math.max(categories.length, 1);

    // Value extent, including stacked totals, error bars and value-axis shapes.
    var lo = Infinity;
    var hi = -Infinity;
    function include(v) {
      if (isNumber(v)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    var stackTop = {};
    var stackBottom = {};
    data.forEach(function (t) {
      var values = vals(t);
      var error = horizontal ? t.error_x : t.error_y;
      values.forEach(function (v, i) {
        if (!isNumber(v)) {
          return;
        }
        var c = String(cats(t)[i]);
        if (t.type === "bar") {
          include(0);
          if (barmode === "stack" || barmode === "relative") {
            var store = v >= 0 ? stackTop : stackBottom;
            store[c] = (store[c] || 0) + v;
            include(store[c]);
            return;
          }
        }
        include(v);
        if (error && error.visible !== false && error.array) {
          var plus = error.array[i] || 0;
          var minus = error.symmetric === false && error.arrayminus ? error.arrayminus[i] || 0 : plus;
          include(v + plus);
          include(v - minus);
        }
      });
    });
    var valRef = horizontal ? "x" : "y";
    (layout.shapes || []).forEach(function (s) {
      if (s.xref === valRef || s.yref === valRef) {
        include(horizontal ? s.x0 : s.y0);
        include(horizontal ? s.x1 : s.y1);
      }
    });
    if (valAxis.rangemode === "tozero") {
      include(0);
    }
    if (!isFinite(lo)) {
      lo = 0;
      hi = 1;
    }
    if (valAxis.range && isNumber(valAxis.range[0]) && isNumber(valAxis.range[1])) {
      lo = valAxis.range[0];
      hi = valAxis.range[1];
    } else {
      var pad = (hi - lo || Math.abs(hi) || 1) * 0.05;
      hi += pad;
      if (lo !== 0) {
        lo -= pad;
      }
    }

    // Legend: the traces that have one, wrapped into rows across the top.
    var legendSize = narrow ? 11 : (theme.legend && theme.legend.font && theme.legend.font.size) || 13;
    var showLegend = layout.showlegend !== false;
    var legendItems = showLegend ? data.filter(function (t) {
      return t.showlegend !== false && t.name;
    }) : [];
    var legendRows = [];
    var usable = width - margin.l - margin.r;
    var row = [];
    var rowWidth = 0;
    legendItems.forEach(function (t) {
      var w = 30 + textWidth(t.name, legendSize, family) + 16;
      if (row.length && rowWidth + w > usable) {
        legendRows.push(row);
        row = [];
        rowWidth = 0;
      }
      row.push({ trace: t, x: rowWidth });
      rowWidth += w;
    });
    if (row.length) {
      legendRows.push(row);
    }
    var legendLine = legendSize * 1.6;
    var top = Math.max(margin.t, legendRows.length ? legendRows.length * legendLine + 16 : 0);

    // Tick labels, then the margins they need (one pass: widths are measured).
    var valTicks;
    var valLength = horizontal ? width : height - top - margin.b - 60;
    if (valAxis.tickmode === "array" && valAxis.tickvals) {
      valTicks = valAxis.tickvals.map(function (v, i) {
        return { value: v, text: (valAxis.ticktext || [])[i] !== undefined ? valAxis.ticktext[i] : String(v) };
      });
    } else {
      valTicks = niceTicks(lo, hi, Math.max(2, Math.round(valLength / (horizontal ? 110 : 50))));
    }
    valTicks = valTicks.filter(function (t) { return t.value >= lo - 1e-9 && t.value <= hi + 1e-9; });
    var catText = categories.map(function (c) {
      var i = (catAxis.tickvals || []).indexOf(c);
      return i >= 0 && catAxis.ticktext ? catAxis.ticktext[i] : c;
    });
    var titleSize = narrow ? 12 : (valAxis.title && valAxis.title.font && valAxis.title.font.size) || 14;
    var valTitle = (valAxis.title && valAxis.title.text) || "";
    var catTitle = (catAxis.title && catAxis.title.text) || "";
    var standoff = 8;
    var labelGap = tickLen + 4;
    var leftLabels = horizontal ? catText : valTicks.map(function (t) { return t.text; });
    var leftWidth = Math.max.apply(null, [0].concat(leftLabels.map(function (s) {
      return textWidth(s, tickSize, family, isBold(s));
    })));
    var leftTitle = horizontal ? catTitle : valTitle;
    var bottomTitle = horizontal ? valTitle : catTitle;
    var left = margin.l + leftWidth + labelGap + (leftTitle ? titleSize * 1.2 + standoff : 0);
    var bottom = margin.b + tickSize * 1.3 + labelGap + (bottomTitle ? titleSize * 1.3 + standoff : 0);
    var x0 = left;
    var x1 = Math.max(x0 + 40, width - margin.r);
    var y0 = top;
    var y1 = Math.max(y0 + 40, height - bottom);
    var band = (horizontal ? y1 - y0 : x1 - x0) / n;
    if (horizontal) {
      // Labels written after a bar's end (e.g. "52.1 Worse", as annotations or
      // a text trace): narrow the value scale until the longest one ends inside
      // the chart.
      var keepInside = function (x, shift, text, font) {
        if (!isNumber(x) || x <= lo || !hasText(text)) {
          return;
        }
        var f = (x - lo) / (hi - lo || 1);
        var size = narrow ? Math.min((font && font.size) || baseSize, 11) : (font && font.size) || baseSize;
        var room = width - 4 - shift - textWidth(plain(text), size, family) - x0;
        x1 = Math.max(x0 + 40, Math.min(x1, x0 + room / f));
      };
      (layout.annotations || []).forEach(function (a) {
        if (a.xref === "x" && a.xanchor === "left") {
          keepInside(a.x, a.xshift || 0, a.text, a.font);
        }
      });
      data.forEach(function (t) {
        if (t.type !== "bar" && (t.mode || "").indexOf("text") >= 0) {
          vals(t).forEach(function (v, i) {
            keepInside(v, 6, Array.isArray(t.text) ? t.text[i] : t.text, t.textfont);
          });
        }
      });
    } else {
      // The last category's label is centred under its bar: keep it inside.
      var overhang = textWidth(catText[n - 1] || "", tickSize, family) / 2 - band / 2 - (width - x1) + 2;
      if (overhang > 0) {
        x1 -= overhang;
        band = (x1 - x0) / n;
      }
    }

    function valPx(v) {
      var f = (v - lo) / (hi - lo || 1);
      return horizontal ? x0 + f * (x1 - x0) : y1 - f * (y1 - y0);
    }
    function catPx(c) {
      // A number that is not a category is a position (plotly's category index,
      // e.g. 3.5 for the edge between the 4th and 5th periods of a gap band).
      var i = typeof c === "number" && !(String(c) in index) ? c : index[String(c)];
      return horizontal ? y1 - (i + 0.5) * band : x0 + (i + 0.5) * band;
    }
    // A point given on an axis: plot fraction ("paper"), category or value.
    function axisPx(value, ref, isX) {
      var along = isX ? [x0, x1] : [y1, y0];
      if (ref === "paper") {
        return along[0] + value * (along[1] - along[0]);
      }
      var onCategoryAxis = (isX && !horizontal) || (!isX && horizontal);
      return onCategoryAxis ? catPx(value) : valPx(value);
    }

    // Category labels: every k-th (counting back from the latest) when they
    // would overlap side by side; the table has them all.
    var labelStep = 1;
    if (!horizontal) {
      var widest = Math.max.apply(null, [0].concat(catText.map(function (s) {
        return textWidth(s, tickSize, family, isBold(s));
      })));
      labelStep = Math.max(1, Math.ceil((widest + 8) / band));
    } else {
      labelStep = Math.max(1, Math.ceil(tickSize * 1.1 / band));
    }

    var svg = node("svg", {
      width: width,
      height: height,
      viewBox: "0 0 " + width + " " + height,
      "font-family": family,
      focusable: "false",
      class: "embed__svg"
    });
    var defs = node("defs", {}, svg);
    node("rect", { x: 0, y: 0, width: width, height: height, fill: layout.paper_bgcolor || theme.paper_bgcolor || "#FFFFFF" }, svg);

    // Grid and axes.
    var grid = node("g", { class: "grid", "shape-rendering": "crispEdges" }, svg);
    if (valAxis.showgrid !== false) {
      valTicks.forEach(function (t) {
        var p = valPx(t.value);
        node("line", horizontal ? { x1: p, x2: p, y1: y0, y2: y1 } : { x1: x0, x2: x1, y1: p, y2: p }, grid)
          .setAttribute("stroke", valAxis.gridcolor || "#E5E5E5");
      });
    }
    if (catAxis.showgrid !== false) {
      // At the labelled categories only (as plotly's ticks), set further down.
      categories.forEach(function (c, i) {
        if ((n - 1 - i) % labelStep !== 0) {
          return;
        }
        var p = catPx(c);
        node("line", horizontal ? { x1: x0, x2: x1, y1: p, y2: p } : { x1: p, x2: p, y1: y0, y2: y1 }, grid)
          .setAttribute("stroke", catAxis.gridcolor || "#E5E5E5");
      });
    }

    var plot = node("g", { class: "traces" }, svg);
    var barWidth = band * (1 - bargap);
    var grouped = barmode === "group" ? bars.length : 1;
    var stackBase = {};
    var previous = null;
    var patterns = 0;

    function fillFor(t, i) {
      var color = t.marker && t.marker.color;
      if (Array.isArray(color)) {
        color = color[i];
      }
      return color || colorway[data.indexOf(t) % colorway.length];
    }

    function patternFill(t) {
      var p = t.marker && t.marker.pattern;
      var path = p && patternPath(p.shape, p.size || 8);
      if (!path) {
        return null;
      }
      patterns += 1;
      var s = p.size || 8;
      var pattern = node("pattern", { id: "embed-pattern-" + patterns, patternUnits: "userSpaceOnUse", width: s, height: s }, defs);
      node("path", {
        d: path,
        stroke: p.fgcolor || "#FFFFFF",
        "stroke-opacity": p.fgopacity !== undefined ? p.fgopacity : 1,
        "stroke-width": Math.max(1, s * (p.solidity || 0.3) * (p.shape === "." ? 1.6 : 0.7)),
        "stroke-linecap": p.shape === "." ? "round" : null,
        fill: "none"
      }, pattern);
      return "url(#embed-pattern-" + patterns + ")";
    }

    function errorBars(t, group, i, center, v) {
      var error = horizontal ? t.error_x : t.error_y;
      if (!error || error.visible === false || !error.array || !isNumber(error.array[i])) {
        return;
      }
      var plus = error.array[i];
      var minus = error.symmetric === false && error.arrayminus ? error.arrayminus[i] : plus;
      if (!isNumber(minus)) {
        return;
      }
      var a = valPx(v - minus);
      var b = valPx(v + plus);
      var cap = error.width !== undefined ? error.width : 4;
      var d = horizontal
        ? "M" + a + "," + center + "H" + b + "M" + a + "," + (center - cap) + "v" + 2 * cap + "M" + b + "," + (center - cap) + "v" + 2 * cap
        : "M" + center + "," + a + "V" + b + "M" + (center - cap) + "," + a + "h" + 2 * cap + "M" + (center - cap) + "," + b + "h" + 2 * cap;
      node("path", { d: d, stroke: error.color || textColor, "stroke-width": error.thickness || 1.5, fill: "none" }, group);
    }

    // Where a bar's value text goes: inside the bar's end when it fits, else
    // (bars side by side, not stacked) just beyond the end when there is room;
    // null when neither, and then it is left out, as plotly's uniformtext
    // "hide" does (the hover text and the table have every value).
    var stacked = barmode === "stack" || barmode === "relative";
    var valueSize = narrow ? 11 : 13;
    function hasText(text) {
      return text !== null && text !== undefined && text !== "";
    }
    function valueTexts(t) {
      return t.type === "bar" && t.textposition !== "none" && Array.isArray(t.text) ? t.text : [];
    }
    function labelPlace(label, v) {
      var slot = barWidth / grouped;
      var along = Math.abs(valPx(v) - valPx(0));
      var tw = textWidth(label, valueSize, family);
      if (horizontal ? valueSize + 4 <= slot && tw + 8 <= along : tw + 4 <= slot && valueSize + 8 <= along) {
        return "inside";
      }
      if (!horizontal && !stacked && v >= 0 && tw <= slot && valPx(v) - y0 >= valueSize + 6) {
        return "outside";
      }
      return null;
    }
    var barIndex = 0;
    data.forEach(function (t) {
      var group = node("g", { class: "trace" }, plot);
      var xs = cats(t);
      var ys = vals(t);
      var hover = t.hoverinfo === "skip" || t.hoverinfo === "none" ? null : t.hovertext || t.text;
      if (t.type === "bar") {
        var slot = barWidth / grouped;
        var offset = -barWidth / 2 + (barmode === "group" ? barIndex * slot : 0);
        barIndex += 1;
        var pattern = patternFill(t);
        var lineStyle = t.marker && t.marker.line ? t.marker.line : {};
        var textFont = merge(theme.data && theme.data.bar && theme.data.bar[0] && theme.data.bar[0].textfont, t.textfont);
        ys.forEach(function (v, i) {
          if (!isNumber(v)) {
            return;
          }
          var c = String(xs[i]);
          var base = 0;
          if (barmode === "stack" || barmode === "relative") {
            var key = c + (v >= 0 ? "+" : "-");
            base = stackBase[key] || 0;
            stackBase[key] = base + v;
          }
          var a = valPx(base);
          var b = valPx(base + v);
          var start = catPx(c) + (horizontal ? -offset - slot : offset);
          var rect = horizontal
            ? { x: Math.min(a, b), y: start, width: Math.abs(b - a), height: slot }
            : { x: start, y: Math.min(a, b), width: slot, height: Math.abs(b - a) };
          var bar = node("g", {}, group);
          node("rect", merge(rect, {
            fill: fillFor(t, i),
            stroke: lineStyle.color || "none",
            "stroke-width": lineStyle.width || 0
          }), bar);
          if (pattern) {
            node("rect", merge(rect, { fill: pattern }), bar);
          }
          title(bar, hover && (Array.isArray(hover) ? hover[i] : hover));
          errorBars(t, group, i, start + slot / 2, base + v);
          var label = valueTexts(t)[i];
          var place = hasText(label) ? labelPlace(label, v) : null;
          if (place) {
            var inside = place === "inside";
            var valueLabel = horizontal
              ? node("text", { x: b - (v >= 0 ? 4 : -4), y: start + slot / 2, dy: "0.35em", "text-anchor": v >= 0 ? "end" : "start" }, group)
              : node("text", {
                x: start + slot / 2,
                y: inside ? b + (v >= 0 ? 4 : -4) : b - 4,
                dy: inside && v >= 0 ? "0.8em" : "-0.2em",
                "text-anchor": "middle"
              }, group);
            valueLabel.setAttribute("font-size", valueSize);
            valueLabel.setAttribute("fill", inside ? textFont.color || "#FFFFFF" : (t.outsidetextfont && t.outsidetextfont.color) || textColor);
            valueLabel.textContent = plain(label);
          }
        });
        previous = null;
        return;
      }
      // scatter
      var points = xs.map(function (c, i) {
        return isNumber(ys[i]) ? [catPx(c), valPx(ys[i])] : null;
      });
      if (horizontal) {
        points = points.map(function (p) { return p && [p[1], p[0]]; });
      }
      if (t.fill === "tonexty" && previous) {
        var both = [];
        var back = [];
        points.forEach(function (p, i) {
          if (p && previous[i]) {
            both.push(p);
            back.unshift(previous[i]);
          }
        });
        if (both.length) {
          node("path", {
            d: "M" + both.concat(back).map(function (p) { return p.join(","); }).join("L") + "Z",
            fill: t.fillcolor || "rgba(0,0,0,0.1)",
            stroke: "none"
          }, group);
        }
      }
      var mode = t.mode || "lines+markers";
      var line = t.line || {};
      var color = line.color || fillFor(t, 0);
      if (mode.indexOf("lines") >= 0 && line.width !== 0) {
        var d = "";
        var pen = false;
        points.forEach(function (p) {
          if (!p) {
            pen = pen && t.connectgaps === true;
            return;
          }
          d += (pen ? "L" : "M") + p.join(",");
          pen = true;
        });
        node("path", {
          d: d,
          fill: "none",
          stroke: color,
          "stroke-width": line.width || 2.5,
          "stroke-dasharray": dashArray(line.dash, line.width || 2.5),
          "stroke-linejoin": "round"
        }, group);
      }
      points.forEach(function (p, i) {
        if (p) {
          errorBars(t, group, i, horizontal ? p[1] : p[0], ys[i]);
        }
      });
      if (mode.indexOf("markers") >= 0) {
        var marker = t.marker || {};
        var r = (marker.size || 8) / 2;
        points.forEach(function (p, i) {
          if (!p) {
            return;
          }
          var attrs = {
            fill: Array.isArray(marker.color) ? marker.color[i] : marker.color || color,
            stroke: marker.line ? marker.line.color : "none",
            "stroke-width": marker.line ? marker.line.width || 0 : 0
          };
          var shape = markerShape(group, marker.symbol, p[0], p[1], r, attrs);
          title(shape, hover && (Array.isArray(hover) ? hover[i] : hover));
        });
      }
      if (mode.indexOf("text") >= 0) {
        // Text beside each point ("middle right", the only position the
        // figures use): the ranked bars' "52.1 Worse" labels.
        var textFont = t.textfont || {};
        var textSize = narrow ? Math.min(textFont.size || baseSize, 11) : textFont.size || baseSize;
        points.forEach(function (p, i) {
          var text = Array.isArray(t.text) ? t.text[i] : t.text;
          if (!p || !hasText(text)) {
            return;
          }
          var label = node("text", {
            x: p[0] + 6, y: p[1], dy: "0.35em", "text-anchor": "start",
            "font-size": textSize, fill: textFont.color || textColor,
            // a white halo, as plotly's text shadow: legible across lines
            stroke: "#FFFFFF", "stroke-width": 3, "paint-order": "stroke"
          }, group);
          label.textContent = plain(text);
        });
      }
      previous = points;
    });

    // Axis lines, ticks and labels.
    var axes = node("g", { class: "axes", "font-size": tickSize, fill: textColor }, svg);
    var lineColor = catAxis.linecolor || "#B1B4B6";
    node("path", { d: "M" + x0 + "," + y0 + "V" + y1 + "H" + x1, stroke: lineColor, fill: "none", "shape-rendering": "crispEdges" }, axes);
    function tickLabel(text, x, y, anchor, dy) {
      var label = node("text", { x: x, y: y, dy: dy, "text-anchor": anchor }, axes);
      if (isBold(text)) {
        label.setAttribute("font-weight", "700");
      }
      label.textContent = lines(text).join(" ");
      return label;
    }
    var ticks = "";
    valTicks.forEach(function (t) {
      var p = valPx(t.value);
      if (horizontal) {
        ticks += "M" + p + "," + y1 + "v" + tickLen;
        tickLabel(t.text, p, y1 + labelGap, "middle", "0.8em");
      } else {
        ticks += "M" + x0 + "," + p + "h" + -tickLen;
        tickLabel(t.text, x0 - labelGap, p, "end", "0.35em");
      }
    });
    categories.forEach(function (c, i) {
      var p = catPx(c);
      if ((n - 1 - i) % labelStep !== 0) {
        return;
      }
      if (horizontal) {
        ticks += "M" + x0 + "," + p + "h" + -tickLen;
        tickLabel(catText[i], x0 - labelGap, p, "end", "0.35em");
      } else {
        ticks += "M" + p + "," + y1 + "v" + tickLen;
        // A first label wider than its place would run into the value axis's
        // labels: leave it out (the table has every period).
        if (p - textWidth(catText[i], tickSize, family) / 2 < x0 - 2) {
          return;
        }
        tickLabel(catText[i], p, y1 + labelGap, "middle", "0.8em");
      }
    });
    node("path", { d: ticks, stroke: catAxis.tickcolor || lineColor, fill: "none" }, axes);
    if (bottomTitle) {
      var bt = node("text", { x: (x0 + x1) / 2, y: height - margin.b, "text-anchor": "middle", "font-size": titleSize }, axes);
      bt.textContent = lines(bottomTitle).join(" ");
    }
    if (leftTitle) {
      var lx = margin.l + titleSize;
      var lt = node("text", {
        x: lx,
        y: (y0 + y1) / 2,
        "text-anchor": "middle",
        "font-size": titleSize,
        transform: "rotate(-90 " + lx + " " + (y0 + y1) / 2 + ")"
      }, axes);
      lt.textContent = lines(leftTitle).join(" ");
    }

    // Shapes (e.g. a benchmark line), above the traces as plotly's layer "above".
    (layout.shapes || []).forEach(function (s) {
      if (s.type === "rect") {
        // A band (e.g. periods with no figure published), pale enough to draw over.
        var rx = [axisPx(s.x0, s.xref || "x", true), axisPx(s.x1, s.xref || "x", true)];
        var ry = [axisPx(s.y0, s.yref || "y", false), axisPx(s.y1, s.yref || "y", false)];
        node("rect", {
          x: Math.min(rx[0], rx[1]),
          y: Math.min(ry[0], ry[1]),
          width: Math.abs(rx[1] - rx[0]),
          height: Math.abs(ry[1] - ry[0]),
          fill: s.fillcolor || "rgba(140,140,140,0.12)",
          class: s.name ? "shape shape--" + String(s.name).split(":")[0] : "shape"
        }, svg);
        return;
      }
      if (s.type && s.type !== "line") {
        return;
      }
      var l = s.line || {};
      node("line", {
        x1: axisPx(s.x0, s.xref || "x", true),
        x2: axisPx(s.x1, s.xref || "x", true),
        y1: axisPx(s.y0, s.yref || "y", false),
        y2: axisPx(s.y1, s.yref || "y", false),
        stroke: l.color || textColor,
        "stroke-width": l.width || 2,
        "stroke-dasharray": dashArray(l.dash, l.width || 2)
      }, svg);
    });

    // Annotations: bar labels, the benchmark label and the watermark.
    (layout.annotations || []).forEach(function (a) {
      var f = a.font || {};
      var size = f.size || baseSize;
      if (a.name === "illustrative-watermark") {
        size = narrow ? 26 : size;
      } else if (narrow) {
        size = Math.min(size, 11);
      }
      var x = axisPx(a.x, a.xref || "x", true) + (a.xshift || 0);
      var y = axisPx(a.y, a.yref || "y", false) - (a.yshift || 0);
      var textLines = lines(a.text);
      var w = textWidth(a.text, size, family);
      var h = textLines.length * size * 1.2;
      var left = a.xanchor === "left" ? 0 : a.xanchor === "right" ? -w : -w / 2;
      var topEdge = a.yanchor === "top" ? 0 : a.yanchor === "bottom" ? -h : -h / 2;
      if (a.textangle === -90) {
        // Turned to read upwards: the anchors apply to the turned box, as in plotly.
        left = a.yanchor === "bottom" ? 0 : a.yanchor === "top" ? -w : -w / 2;
        topEdge = a.xanchor === "left" ? -h : a.xanchor === "right" ? 0 : -h / 2;
      }
      var g = node("g", {
        transform: "translate(" + x + "," + y + ")" + (a.textangle ? " rotate(" + a.textangle + ")" : ""),
        opacity: a.opacity,
        class: a.name ? "annotation annotation--" + String(a.name).split(":")[0] : "annotation"
      }, svg);
      if (a.bgcolor) {
        node("rect", { x: left - 2, y: topEdge - 1, width: w + 4, height: h + 2, fill: a.bgcolor }, g);
      }
      var label = node("text", { "font-size": size, fill: f.color || textColor, "text-anchor": "start" }, g);
      textLines.forEach(function (line, i) {
        var span = node("tspan", { x: left, y: topEdge + size * (i + 0.9) + size * 0.1 }, label);
        span.textContent = line;
      });
    });

    // Legend rows across the top.
    var legend = node("g", { class: "legend", "font-size": legendSize, fill: textColor }, svg);
    legendRows.forEach(function (items, r) {
      var y = 8 + r * legendLine + legendLine / 2;
      items.forEach(function (item) {
        var t = item.trace;
        var x = margin.l + item.x;
        if (t.type === "bar") {
          node("rect", { x: x, y: y - 7, width: 22, height: 14, fill: fillFor(t, 0), stroke: (t.marker && t.marker.line && t.marker.line.color) || "none" }, legend);
          var pattern = patternFill(t);
          if (pattern) {
            node("rect", { x: x, y: y - 7, width: 22, height: 14, fill: pattern }, legend);
          }
        } else {
          var line = t.line || {};
          node("path", {
            d: "M" + x + "," + y + "h24",
            stroke: line.color || fillFor(t, 0),
            "stroke-width": line.width || 2.5,
            "stroke-dasharray": dashArray(line.dash, line.width || 2.5)
          }, legend);
          if ((t.mode || "").indexOf("markers") >= 0) {
            var m = t.marker || {};
            markerShape(legend, m.symbol, x + 12, y, 4, {
              fill: m.color || line.color,
              stroke: m.line ? m.line.color : "none",
              "stroke-width": m.line ? m.line.width || 0 : 0
            });
          }
        }
        var label = node("text", { x: x + 30, y: y, dy: "0.35em" }, legend);
        label.textContent = plain(t.name);
      });
    });
    return svg;
  }

  function draw() {
    var island = document.getElementById("embed-figure");
    var target = document.getElementById("embed-plot");
    if (!island || !target) {
      return;
    }
    var fig = JSON.parse(island.textContent);
    var drawnWidth = -1;
    function paint() {
      var width = target.clientWidth;
      if (width === drawnWidth || width === 0) {
        return;
      }
      drawnWidth = width;
      var svg = render(target, fig, width < 560);
      // The server's drawing (with JavaScript off) gives way to this one, which
      // the summary and table already describe.
      target.textContent = "";
      target.setAttribute("aria-hidden", "true");
      target.appendChild(svg);
    }
    paint();
    // A scroll bar appearing narrows the page without a window resize event;
    // the observer's first report (the size drawn at) changes nothing.
    if (window.ResizeObserver) {
      new window.ResizeObserver(paint).observe(target);
    } else {
      window.addEventListener("resize", paint);
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
