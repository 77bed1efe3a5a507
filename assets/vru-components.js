/* React components for components/chart.py (Dash namespace "vru_components").

   StaticTable: a read-only accessible table drawn by one React component instead
   of one Dash component per cell, which made Dash's renderer spend seconds
   re-checking table cells while a page loaded. Same markup as before: <caption>,
   <th scope="col">, an optional row-header first column, numeric columns
   right-aligned with tabular figures, missing or suppressed cells as a visible
   mark with a visually hidden word, TableLink cells as links and TableBadges
   cells as badges.

   StaticHtml: read-only markup (components/static_html.py) drawn the same way,
   as React elements under one Dash component.

   SvgFirstGraph: a chart card's plot, shown as the server-drawn SVG, with
   plotly.js loaded only when the visitor asks for the interactive chart (below). */
(function () {
  var h = window.React.createElement;
  var RIGHT = { textAlign: "right", fontVariantNumeric: "tabular-nums" };

  /* A TableLink: navigate as dcc.Link does (history.pushState and the event Dash's
     location component listens for), so the page is not reloaded. */
  function navigateInApp(href) {
    return function (event) {
      if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey ||
          event.altKey) { return; }
      event.preventDefault();
      window.history.pushState({}, "", href);
      window.dispatchEvent(new CustomEvent("_dashprivate_pushstate"));
      window.scrollTo(0, 0);
    };
  }

  function link(cell) {
    if (cell.external) {  // another site (a source): an ordinary link
      return h("a", { href: cell.href, className: cell.className || undefined }, cell.text);
    }
    return h("a", {
      href: cell.href,
      className: cell.className || undefined,
      onClick: navigateInApp(cell.href)
    }, cell.text);
  }

  /* TableBadges: each badge's words, after a coloured dot hidden from screen
     readers. */
  function badges(cell) {
    return h("span", { className: cell.className || undefined },
      cell.badges.map(function (badge, i) {
        return h("span", { key: i, className: badge.className || undefined }, [
          h("span", { key: "dot", className: badge.dotClassName, "aria-hidden": "true" }),
          badge.text
        ]);
      }));
  }

  function cellContent(value, marks) {
    if (value !== null && typeof value === "object") {
      return value.badges ? badges(value) : link(value);
    }
    if (typeof value !== "number") { return value; }
    var mark = marks[value] || {};
    return [
      h("span", { key: "shown", "aria-hidden": "true" }, mark.shown),
      h("span", { key: "spoken", className: "visually-hidden" }, mark.spoken)
    ];
  }

  /* True once the table's rows should be drawn: at once for a table that is not
     inside a closed <details> ("View as table"), and when that <details> is first
     opened otherwise. Every chart card has such a table, and drawing their rows
     while the page loaded was about half of the page's DOM and of React's work
     (Lighthouse total blocking time), for tables nobody can see yet. The caption
     and header are always drawn, so the region's label and the table's id exist. */
  function useRowsShown(table) {
    var React = window.React;
    var state = React.useState(false);
    var shown = state[0];
    var setShown = state[1];
    React.useLayoutEffect(function () {
      if (shown || !table.current) { return undefined; }
      var details = table.current.closest("details");
      if (!details || details.open) { setShown(true); return undefined; }
      function toggled() { if (details.open) { setShown(true); } }
      details.addEventListener("toggle", toggled);
      return function () { details.removeEventListener("toggle", toggled); };
    }, [shown]);
    return shown;
  }

  function StaticTable(props) {
    var table = window.React.useRef(null);
    var shown = useRowsShown(table);
    var columns = props.columns || [];
    var marks = props.marks || [];
    var head = columns.map(function (column, i) {
      return h("th", {
        key: i,
        scope: "col",
        className: column.numeric ? "text-end" : undefined,
        style: column.numeric ? RIGHT : undefined
      }, column.name);
    });
    var body = (shown ? props.rows || [] : []).map(function (row, r) {
      var rowClass = (props.rowClassNames || [])[r] || undefined;
      return h("tr", { key: r, className: rowClass }, row.map(function (value, i) {
        var header = i === 0 && props.rowHeaders;
        var numeric = columns[i] && columns[i].numeric;
        var mark = typeof value === "number" ? marks[value] || {} : {};
        return h(header ? "th" : "td", {
          key: i,
          scope: header ? "row" : undefined,
          className: numeric ? "text-end" : undefined,
          style: numeric ? RIGHT : undefined,
          title: mark.title
        }, cellContent(value, marks));
      }));
    });
    return h("table", { ref: table, id: props.id, className: props.className }, [
      h("caption", { key: "caption", id: props.captionId, className: "caption-top" },
        props.caption),
      h("thead", { key: "head" }, h("tr", null, head)),
      h("tbody", { key: "body" }, body)
    ]);
  }

  /* StaticHtml (components/static_html.py): read-only markup sent as data,
     {"tag", "props", "children", "appLink"} or text, drawn as React elements
     under one Dash component. An appLink is a dcc.Link: it navigates as one. */
  function staticNode(node, key) {
    if (node === null || typeof node !== "object") { return node; }
    var props = Object.assign({ key: key }, node.props);
    if (node.appLink) { props.onClick = navigateInApp(node.props.href); }
    var children = node.children || [];
    return h.apply(null, [node.tag, props].concat(children.map(staticNode)));
  }

  function StaticHtml(props) {  // no element of its own: the markup is the content
    return h.apply(null, [window.React.Fragment, null]
      .concat((props.content || []).map(staticNode)));
  }

  /* plotly.js (0.4 MB, ~200 ms of evaluation on a slow CPU) is fetched and
     started only when a visitor asks for an interactive chart, and then only
     once no Dash callback is pending and the page's text has been painted, so
     it does not compete with content still arriving. */
  var plotly = null;  // a Promise: plotly.js has loaded (or failed to)
  var DRAW_WAIT_MS = 5000;  // stop watching for plotly's drawing after this
  var SETTLE_WAIT_MS = 3000;  // nor wait longer than this for callbacks
  var NARROW_MAX_PX = 767.98;  // below Bootstrap's "md": phones (see NARROW)
  var PNG_SCALE = 3;  // the PNG's pixels per SVG unit: sharp when printed
  /* The charts (by id) a visitor made interactive on this visit: redrawn by a
     new answer (another measure, year or area), such a chart comes back
     interactive, not as the SVG it started from. */
  var interactive = {};
  /* On a narrow screen (a phone) the server's drawing, made for a desktop card,
     would shrink with the page until its text is a few pixels high; plotly.js
     lays the chart out again at the screen's width, so there the chart is made
     interactive at once, as every chart was before the SVG came first. */
  // "screen": a page laid out for printing (narrower than the window) is not a
  // phone, and its charts stay the server's drawings.
  var NARROW = window.matchMedia ?
    window.matchMedia("screen and (max-width: " + NARROW_MAX_PX + "px)") : null;

  function whenSettled(then) {
    var started = Date.now();
    (function check() {
      var busy = document.querySelector('[data-dash-is-loading="true"]');
      if (busy && Date.now() - started < SETTLE_WAIT_MS) {
        window.setTimeout(check, 50);
        return;
      }
      window.requestAnimationFrame(function () { window.setTimeout(then, 0); });
    })();
  }

  function loadPlotly() {
    if (!plotly) {
      plotly = new Promise(function (resolve) {
        if (window.Plotly) { resolve(); return; }
        whenSettled(function () {
          var script = document.createElement("script");
          // window._dashPlotlyJSURL answers the basic bundle (assets/vru.js); on
          // an error dcc.Graph itself tries again and reports it.
          script.src = window._dashPlotlyJSURL;
          script.async = true;
          script.onload = script.onerror = function () { resolve(); };
          document.head.appendChild(script);
        });
      });
    }
    return plotly.then(function () {
      // what the page's content still puts into its figures before they are
      // drawn (assets/vru.js mapOutlines: /compare's map outlines), if any
      var before = window.vruBeforeDraw;
      return typeof before === "function" ? before() : before;
    });
  }

  /* The SVG's <use>s of another file (the /compare map's areas, drawn from
     the long-cached outlines file, components/figure_svg/symbols.py) pointed
     at copies of what they use, put into the SVG's own <defs>: an SVG drawn
     as an image (on the canvas below) loads nothing from outside itself, so
     its areas would be blank. Each file is fetched once a page, from this
     site. Resolves when the SVG stands alone. */
  var usedFiles = {};  // URL -> Promise of the parsed file
  function inlineUses(svg) {
    var ns = "http://www.w3.org/2000/svg";
    var uses = Array.prototype.filter.call(
      svg.getElementsByTagNameNS(ns, "use"),
      function (use) {
        var href = use.getAttribute("href") || "";
        return href.indexOf("#") > 0;
      });
    var urls = {};
    uses.forEach(function (use) {
      urls[use.getAttribute("href").split("#")[0]] = true;
    });
    return Promise.all(Object.keys(urls).map(function (url) {
      if (!usedFiles[url]) {
        usedFiles[url] = window.fetch(url, { credentials: "same-origin" })
          .then(function (response) { return response.text(); })
          .then(function (text) {
            return new window.DOMParser().parseFromString(text, "image/svg+xml");
          });
      }
      return usedFiles[url].then(function (file) { return [url, file]; });
    })).then(function (files) {
      var byUrl = {};
      files.forEach(function (pair) { byUrl[pair[0]] = pair[1]; });
      var defs = svg.getElementsByTagNameNS(ns, "defs")[0];
      if (!defs) {
        defs = svg.insertBefore(
          svg.ownerDocument.createElementNS(ns, "defs"), svg.firstChild);
      }
      var copied = {};
      uses.forEach(function (use) {
        var parts = use.getAttribute("href").split("#");
        var id = "used-" + parts[1];
        if (!copied[id]) {
          var found = byUrl[parts[0]].getElementById(parts[1]);
          if (!found) { return; }
          var copy = svg.ownerDocument.importNode(found, true);
          copy.setAttribute("id", id);
          defs.appendChild(copy);
          copied[id] = true;
        }
        use.setAttribute("href", "#" + id);
      });
    });
  }

  /* "Download PNG": the card's SVG drawn on a canvas at PNG_SCALE times its
     nominal size (white behind it, as on the page) and saved as
     "<chart id>.png". No plotly.js: the SVG is the chart, "Illustrative data"
     watermark included, the map's areas copied in from their file. */
  function downloadPng(markup, filename) {
    var svg = new window.DOMParser()
      .parseFromString(markup, "image/svg+xml").documentElement;
    // a file that failed to arrive leaves its areas blank, not the PNG unsaved
    inlineUses(svg).catch(function () { return null; })
      .then(function () { drawPng(svg, filename); });
  }

  function drawPng(svg, filename) {
    var box = (svg.getAttribute("viewBox") || "").split(/[\s,]+/).map(Number);
    var width = Math.round(box[2] * PNG_SCALE);
    var height = Math.round(box[3] * PNG_SCALE);
    // drawn at the PNG's own size, so the text and lines are rasterised sharp
    svg.setAttribute("width", width);
    svg.setAttribute("height", height);
    var source = URL.createObjectURL(new Blob(
      [new window.XMLSerializer().serializeToString(svg)],
      { type: "image/svg+xml" }
    ));
    var image = new window.Image();
    image.onload = function () {
      var canvas = document.createElement("canvas");
      canvas.width = width;
      canvas.height = height;
      var context = canvas.getContext("2d");
      context.fillStyle = "#ffffff";
      context.fillRect(0, 0, width, height);
      context.drawImage(image, 0, 0, width, height);
      URL.revokeObjectURL(source);
      canvas.toBlob(function (png) {
        var link = document.createElement("a");
        link.href = URL.createObjectURL(png);
        link.download = filename + ".png";
        document.body.appendChild(link);
        link.click();
        link.remove();
        window.setTimeout(function () { URL.revokeObjectURL(link.href); }, 60000);
      }, "image/png");
    };
    image.src = source;
  }

  /* SvgFirstGraph (components/chart.py): the chart as the server drew it (SVG),
     at once, with no JavaScript chart library; its dcc.Graph child (the same
     figure, with plotly's hover details, zoom and modebar) is mounted in the
     SVG's place only when the visitor asks, with the "Interactive chart"
     button. Hovering does not upgrade it: the SVG's marks carry their hover
     text already (as SVG <title>s, components.figure_svg), and a chart
     redrawn under the pointer while being read, at the cost of plotly.js's
     load, is not what a reader asked for. Until plotly has drawn, the SVG
     stays on screen under the graph's layer, so the chart never blanks; the
     box keeps the SVG's height, so nothing below jumps.
     Without an SVG (a map whose outlines the server did not have) the graph is
     mounted at once, as before; so is a chart made interactive earlier in the
     visit and redrawn by a new answer, and every chart on a phone (NARROW).
     Props: svg (markup), children (the dcc.Graph), id, className, style,
     label (the chart's title, for the buttons' names), filename. */
  function SvgFirstGraph(props) {
    var React = window.React;
    var hasSvg = Boolean(props.svg);
    // "svg": the SVG alone; "loading": plotly.js on its way; "drawing": the
    // graph mounted over the SVG; "graph": the graph alone
    var narrow = Boolean(NARROW && NARROW.matches);
    var state = React.useState(
      hasSvg && !interactive[props.id] && !narrow ? "svg" : "loading");
    var mode = state[0];
    var setMode = state[1];
    var box = React.useRef(null);
    var layer = React.useRef(null);
    var focusGraph = React.useRef(false);  // asked by button: focus follows
    var held = React.useRef(null);  // the SVG's height, held for the graph

    function upgrade() {
      if (mode !== "svg") { return; }
      if (props.id) { interactive[props.id] = true; }
      focusGraph.current = true;
      setMode("loading");
    }

    React.useEffect(function () {
      // A window narrowed to a phone's width (or a phone turned upright) while
      // the SVG shows: interactive, as on a phone from the start; no focus move.
      if (mode !== "svg" || !NARROW || !NARROW.addEventListener) { return undefined; }
      function changed(event) { if (event.matches) { setMode("loading"); } }
      NARROW.addEventListener("change", changed);
      return function () { NARROW.removeEventListener("change", changed); };
    }, [mode]);

    React.useEffect(function () {
      if (mode !== "loading") { return undefined; }
      var live = true;
      loadPlotly().then(function () { if (live) { setMode("drawing"); } });
      return function () { live = false; };
    }, [mode]);

    React.useEffect(function () {
      if (mode !== "drawing") { return undefined; }
      var started = Date.now();
      var timer = null;
      (function check() {
        var drawn = layer.current && layer.current.querySelector(".main-svg");
        if (drawn || !layer.current || Date.now() - started > DRAW_WAIT_MS) {
          var svgBox = box.current && box.current.querySelector(".chart-card__svg");
          held.current = svgBox ? svgBox.offsetHeight : null;
          setMode("graph");
          return;
        }
        timer = window.setTimeout(check, 20);
      })();
      return function () { window.clearTimeout(timer); };
    }, [mode]);

    React.useEffect(function () {
      // The button that was pressed is gone: the keyboard goes on from the
      // graph (its modebar is the next stop), not from the top of the page.
      if (mode === "graph" && focusGraph.current && layer.current) {
        focusGraph.current = false;
        layer.current.focus();
      }
    }, [mode]);

    var hidden = function (text) {
      return h("span", { key: "hidden", className: "visually-hidden" }, text);
    };
    var actions = [];
    if (mode !== "graph" && hasSvg) {
      var waiting = mode !== "svg";
      actions.push(h("button", {
        key: "interactive",
        type: "button",
        className: "btn btn-outline-secondary btn-sm chart-card__interactive-button",
        "aria-disabled": waiting ? "true" : undefined,
        onClick: upgrade
      }, [waiting ? "Loading interactive chart…" : "Interactive chart",
          hidden(": " + props.label)]));
    }
    if (hasSvg) {
      actions.push(h("button", {
        key: "png",
        type: "button",
        className: "btn btn-outline-secondary btn-sm chart-card__png",
        onClick: function () { downloadPng(props.svg, props.filename); }
      }, ["Download PNG", hidden(" of: " + props.label)]));
    }

    var canvas = [];
    if (hasSvg && mode !== "graph") {
      // The markup is the server's own (components.figure_svg), every text in
      // it escaped there: it is inserted as it is, never built from input here.
      canvas.push(h("div", {
        key: "svg",
        className: "chart-card__svg",
        dangerouslySetInnerHTML: { __html: props.svg }
      }));
    }
    if (mode === "drawing" || mode === "graph") {
      canvas.push(h("div", {
        key: "graph",
        ref: layer,
        tabIndex: -1,
        role: "group",
        "aria-label": "Interactive chart: " + props.label,
        className: "chart-card__graph-layer" +
          (mode === "drawing" ? " chart-card__graph-layer--over" : ""),
        style: mode === "graph" && held.current ?
          { minHeight: held.current + "px" } : undefined
      }, props.children));
    }
    return h("div", {
      ref: box, id: props.id, className: props.className, style: props.style
    }, [
      actions.length ?
        h("div", { key: "actions", className: "chart-card__plot-actions" }, actions) :
        null,
      h("div", { key: "canvas", className: "chart-card__canvas" }, canvas)
    ]);
  }

  window.vru_components = Object.assign({}, window.vru_components, {
    StaticTable: StaticTable,
    StaticHtml: StaticHtml,
    SvgFirstGraph: SvgFirstGraph
  });
})();
