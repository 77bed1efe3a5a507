/* React components for components/chart.py (Dash namespace "vru_components").

   StaticTable: a read-only accessible table drawn by one React component instead
   of one Dash component per cell, which made Dash's renderer spend seconds
   re-checking table cells while a page loaded. Same markup as before: <caption>,
   <th scope="col">, an optional row-header first column, numeric columns
   right-aligned with tabular figures, missing or suppressed cells as a visible
   mark with a visually hidden word, TableLink cells as links and TableBadges
   cells as badges. */
(function () {
  var h = window.React.createElement;
  var RIGHT = { textAlign: "right", fontVariantNumeric: "tabular-nums" };

  /* A TableLink: navigate as dcc.Link does (history.pushState and the event Dash's
     location component listens for), so the page is not reloaded. */
  function link(cell) {
    if (cell.external) {  // another site (a source): an ordinary link
      return h("a", { href: cell.href, className: cell.className || undefined }, cell.text);
    }
    return h("a", {
      href: cell.href,
      className: cell.className || undefined,
      onClick: function (event) {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey ||
            event.altKey) { return; }
        event.preventDefault();
        window.history.pushState({}, "", cell.href);
        window.dispatchEvent(new CustomEvent("_dashprivate_pushstate"));
        window.scrollTo(0, 0);
      }
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

  /* DeferredGraph (components/chart.py): holds one dcc.Graph and mounts it only
     after the text around it is painted, plotly.js has loaded (in a task of its
     own) and the graph before it in the page has drawn, so each chart draws in a
     main-thread task of its own instead of all of them in the task that draws the
     page (or the one that evaluates plotly.js). */
  var queue = [];  // graphs waiting for their turn, in the order they mounted
  var current = null;  // the graph being drawn
  var plotly = null;  // a Promise: plotly.js has loaded (or failed to)
  var DRAW_WAIT_MS = 5000;  // never hold the next graph longer than this
  var SETTLE_WAIT_MS = 3000;  // nor plotly.js for callbacks still running

  /* plotly.js (0.4 MB) is fetched and started only once no Dash callback is
     pending and the page's text has been painted, so it does not compete with
     the content still arriving (on /compare a chart below the fold used to start
     it before the main content came). */
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
    return plotly;
  }

  function pump() {
    if (current || !queue.length) { return; }
    var entry = queue.shift();
    current = entry;
    loadPlotly().then(function () {
      // what the page's content still puts into its figures before they are
      // drawn (assets/vru.js mapOutlines: /compare's map outlines), if any
      return window.vruBeforeDraw;
    }).then(function () {
      window.setTimeout(function () { entry.show(); }, 0);
    });
  }

  function finished(entry) {
    var i = queue.indexOf(entry);
    if (i !== -1) { queue.splice(i, 1); }
    if (current === entry) {
      current = null;
      window.setTimeout(pump, 0);
    }
  }

  function DeferredGraph(props) {
    var React = window.React;
    var state = React.useState(false);
    var ready = state[0];
    var setReady = state[1];
    var box = React.useRef(null);
    var entry = React.useRef(null);
    React.useEffect(function () {
      var mine = { show: function () { setReady(true); } };
      entry.current = mine;
      queue.push(mine);
      var frame = window.requestAnimationFrame(function () { pump(); });
      return function () {
        window.cancelAnimationFrame(frame);
        finished(mine);
      };
    }, []);
    React.useEffect(function () {
      if (!ready) { return undefined; }
      var started = Date.now();
      var timer = null;
      function check() {
        var drawn = box.current && box.current.querySelector(".main-svg");
        if (drawn || !box.current || Date.now() - started > DRAW_WAIT_MS) {
          finished(entry.current);
          return;
        }
        timer = window.setTimeout(check, 20);
      }
      check();
      return function () { window.clearTimeout(timer); };
    }, [ready]);
    return h("div", {
      ref: box, id: props.id, className: props.className, style: props.style
    }, ready ? props.children : null);
  }

  window.vru_components = Object.assign({}, window.vru_components, {
    StaticTable: StaticTable,
    DeferredGraph: DeferredGraph
  });
})();
