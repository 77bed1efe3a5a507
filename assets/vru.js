/* Clientside helpers: served from the app itself, so the CSP needs no inline code. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  vru: {
    /* Area picker options from the shell's store, limited to the page's levels. */
    areaOptions: function (options, _id, levels) {
      if (!options) { return []; }
      var wanted = levels || ["country", "pfa"];
      return options
        .filter(function (o) { return wanted.indexOf(o.level) !== -1; })
        .map(function (o) { return { label: o.label, value: o.value }; });
    },
    /* The prevention list's status sentence and focus (pages/prevention.py):
       when another page of the same list is drawn, focus moves to its caption
       and the sentence is announced; when the filters change the list, only the
       sentence. The caption is the element carrying data-announce. */
    announceList: (function () {
      var shown = null;  // {list, page} of the list last shown in this document

      function captionProps(node) {
        if (Array.isArray(node)) {
          for (var i = 0; i < node.length; i++) {
            var found = captionProps(node[i]);
            if (found) { return found; }
          }
          return null;
        }
        if (!node || typeof node !== "object" || !node.props) { return null; }
        if (node.props["data-announce"] !== undefined) { return node.props; }
        return captionProps(node.props.children);
      }

      /* The answer is in the store before React has drawn it: wait for this
         list's caption (not the previous one) to be in the page. */
      function focusWhenDrawn(now, done) {
        var started = Date.now();
        (function look() {
          var caption = document.querySelector("[data-announce]");
          if (caption && caption.getAttribute("data-list") === now.list &&
              caption.getAttribute("data-page") === now.page) {
            caption.focus();
            done();
          } else if (Date.now() - started < 5000) {
            window.setTimeout(look, 20);
          } else {
            done();
          }
        })();
      }

      return function (children) {
        var noUpdate = window.dash_clientside.no_update;
        if (children === null || children === undefined) {
          return noUpdate;  // the layout drawn again: its content is on its way
        }
        var props = captionProps(children);
        var before = shown;
        shown = props ? { list: props["data-list"], page: props["data-page"] } : null;
        if (!shown) { return ""; }
        if (!before || (before.list === shown.list && before.page === shown.page)) {
          return noUpdate;
        }
        var text = props["data-announce"];
        if (before.list !== shown.list) { return text; }
        return new Promise(function (resolve) {
          focusWhenDrawn(shown, function () { resolve(text); });
        });
      };
    })(),
    /* /compare's map (components/area_map.py): its traces arrive without
       coordinates, and layout.meta.outlines names the static file holding every
       force area's outline ({code: {x, y}}, web/embed.py "pfa-outlines.json",
       cached for a year under its hash). Called with the content a callback
       drew: each graph in it whose figure names outlines gets every trace's
       (meta.code) x and y before plotly draws it (the graph is created by a
       callback, so a callback of its own would name an id that no layout
       holds). Returns the URLs named. */
    mapOutlines: (function () {
      var loaded = {};  // url -> Promise of the outlines, fetched once a page
      var latest = 0;  // the content last seen: an older answer is not drawn

      function outlines(url) {
        if (!loaded[url]) {
          loaded[url] = window.fetch(url, { credentials: "same-origin" })
            .then(function (response) {
              if (!response.ok) { throw new Error("outlines: " + response.status); }
              return response.json();
            });
          // a failed fetch is tried again with the next map, not remembered
          loaded[url].catch(function () { delete loaded[url]; });
        }
        return loaded[url];
      }

      function maps(node, found) {
        if (Array.isArray(node)) {
          node.forEach(function (child) { maps(child, found); });
        } else if (node && typeof node === "object" && node.props) {
          var figure = node.props.figure;
          var url = figure && figure.layout && figure.layout.meta &&
            figure.layout.meta.outlines;
          if (url && node.props.id) {
            found.push({ id: node.props.id, figure: figure, url: url });
          }
          maps(node.props.children, found);
        }
        return found;
      }

      function fill(figure, shapes) {
        figure.data.forEach(function (trace) {
          var shape = trace.meta && shapes[trace.meta.code];
          if (shape) { trace.x = shape.x; trace.y = shape.y; }
        });
        return figure;
      }

      function filled(figure, shapes) {
        return fill(Object.assign({}, figure, {
          data: figure.data.map(function (trace) { return Object.assign({}, trace); })
        }), shapes);
      }

      return function (children) {
        var found = maps(children, []);
        var mine = ++latest;
        if (!found.length) { return window.dash_clientside.no_update; }
        var pending = null;
        function fillMaps() {
          if (pending) { return pending; }
          pending = Promise.all(found.map(function (map) {
            return outlines(map.url).then(function (shapes) {
              if (mine !== latest) { return map.url; }  // an older answer
              if (document.getElementById(map.id)) {
                // already drawn: draw it again, filled
                window.dash_clientside.set_props(map.id, {
                  figure: filled(map.figure, shapes)
                });
              } else {
                /* Not drawn yet (SvgFirstGraph mounts it only after
                   vruBeforeDraw, when the visitor asks for the interactive
                   map): filled in place, in the figure the graph will be drawn
                   from. Through set_props the graph would be drawn first from
                   the figure as it arrived (Dash hands a child that mounts
                   later the props it had when its parent drew), then again. */
                fill(map.figure, shapes);
              }
              return map.url;
            });
          })).catch(function () { return null; });
          return pending;
        }
        /* The graphs wait for this before plotly draws them
           (assets/vru-components.js SvgFirstGraph): a map drawn empty and
           then again with its outlines would cost a second draw. The outlines
           are fetched only then: the map's SVG, drawn on the server, has them
           already. Never rejects: a map whose outlines failed is drawn
           without them. */
        window.vruBeforeDraw = fillMaps;
        var shown = found.some(function (map) {
          return document.getElementById(map.id);
        });
        if (shown) { fillMaps(); }  // an interactive map, given a new answer
        return found.map(function (map) { return map.url; });
      };
    })(),
    /* Push the page's control values into the URL query so the view can be
       bookmarked and back/forward restore it (Dash pages re-renders on popstate). */
    syncUrl: function () {
      var n = arguments.length;
      var names = arguments[n - 1] || [];
      var params = new URLSearchParams(window.location.search);
      for (var i = 0; i < names.length; i++) {
        var v = arguments[i];
        if (v === null || v === undefined || v === "") { params.delete(names[i]); }
        else { params.set(names[i], v); }
      }
      var search = params.toString();
      var next = window.location.pathname + (search ? "?" + search : "");
      if (next !== window.location.pathname + window.location.search) {
        /* A control the visitor has just changed makes a new view: push, so
           Back returns to the one before. Anything else (the page tidying the
           URL it was opened at, or filling a control from the store) rewrites
           the current entry, so Back leaves the page in one press. */
        if (Date.now() - window.vruLastControlUse < 1000) {
          window.history.pushState({}, "", next);
        } else {
          window.history.replaceState({}, "", next);
        }
      }
      return search;
    }
  }
});

/* dcc.Dropdown (Dash 4.4) puts keyboard focus on a hidden proxy input marked
   aria-hidden (an axe "aria-hidden-focus" failure) and keeps its real trigger
   button, which carries the component id and so the <label>, out of the tab order.
   Swap them: the labelled button takes focus, the proxy leaves the tab order. */
(function () {
  function fixDropdowns(root) {
    var proxies = root.querySelectorAll
      ? root.querySelectorAll(".dash-dropdown-focus-target")
      : [];
    for (var i = 0; i < proxies.length; i++) {
      var proxy = proxies[i];
      // set only when different: an unchanged write would still be a mutation
      // and wake the observer below again, for ever
      if (proxy.tabIndex !== -1) { proxy.tabIndex = -1; }
      var trigger = proxy.nextElementSibling;
      if (trigger && trigger.tagName === "BUTTON" && !trigger.disabled &&
          trigger.tabIndex !== 0) {
        trigger.tabIndex = 0;
      }
    }
  }
  function start() {
    fixDropdowns(document);
    // Attributes too: after a choice React writes the proxy's tabindex back
    // without adding or removing a node, and the proxy was focusable again
    // until something else on the page changed (axe, after the SPC choice).
    new MutationObserver(function () { fixDropdowns(document); })
      .observe(document.body, {
        childList: true, subtree: true, attributes: true,
        attributeFilter: ["tabindex"]
      });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

/* dcc.Graph loads plotly.js on first use from window._dashPlotlyJSURL, which Dash's
   renderer sets to the unversioned full bundle. Answer the versioned basic bundle
   named in <meta name="vru-plotly-js"> instead (web/plotly_bundle.py): a quarter
   of the bytes, and cacheable for a year. */
(function () {
  var meta = document.querySelector('meta[name="vru-plotly-js"]');
  var url = meta && meta.getAttribute("content");
  if (!url) { return; }
  Object.defineProperty(window, "_dashPlotlyJSURL", {
    configurable: true,
    get: function () { return url; },
    set: function () { /* the renderer's unversioned URL is ignored */ }
  });
})();

/* When the visitor last used a control on the page (not a link): syncUrl above
   pushes a history entry only for such a change. */
window.vruLastControlUse = 0;
(function () {
  var CONTROLS = "input, select, textarea, button, [role=option], [role=radio], " +
    "[role=checkbox], [role=combobox], [role=listbox], .dash-dropdown";
  function used(event) {
    var target = event.target;
    if (target && target.closest && target.closest(CONTROLS) &&
        !target.closest("a")) {
      window.vruLastControlUse = Date.now();
    }
  }
  ["change", "input", "click", "keydown"].forEach(function (name) {
    document.addEventListener(name, used, true);
  });
})();

/* The main navigation carries the visitor's area and measure from page to page
   (/violence?area=E23000036 -> Funding keeps Avon and Somerset). The pages write
   their controls to the URL with history.pushState, which Dash does not see, so the
   links are rewritten from the URL itself: their hrefs (for "open in new tab" and
   the status bar) whenever the URL changes, and the click, which dcc.Link would
   otherwise send to the href it was drawn with. */
(function () {
  var CARRIED = ["area", "measure"];

  function carried(link) {
    var target = new URL(link.getAttribute("href"), window.location.origin);
    var here = new URLSearchParams(window.location.search);
    CARRIED.forEach(function (name) {
      var value = here.get(name);
      if (value) { target.searchParams.set(name, value); }
      else { target.searchParams.delete(name); }
    });
    return target.pathname + target.search;
  }

  function rewrite() {
    var links = document.querySelectorAll(".app-nav a.nav-link");
    for (var i = 0; i < links.length; i++) {
      links[i].setAttribute("href", carried(links[i]));
    }
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".app-nav a.nav-link");
    if (!link || event.button !== 0 || event.metaKey || event.ctrlKey ||
        event.shiftKey || event.altKey) { return; }
    /* Handled here, before React sees it: the same steps as dcc.Link's own. */
    event.preventDefault();
    event.stopPropagation();
    window.history.pushState({}, "", carried(link));
    window.dispatchEvent(new CustomEvent("_dashprivate_pushstate"));
    window.scrollTo(0, 0);
  }, true);

  ["pushState", "replaceState"].forEach(function (name) {
    var original = window.history[name];
    window.history[name] = function () {
      var answer = original.apply(this, arguments);
      window.setTimeout(rewrite, 0);
      return answer;
    };
  });
  window.addEventListener("popstate", function () { window.setTimeout(rewrite, 0); });
  new MutationObserver(function () { rewrite(); }).observe(document.documentElement, {
    childList: true, subtree: true
  });
})();

/* Printing (and print-to-PDF): each chart is scaled to the printed page's width
   instead of being cut at its right edge (plotly draws at the screen's width), and
   put back afterwards. The print rules themselves are in 10-vru.css (A4 landscape,
   controls hidden, tables never cut by a scroll box). */
(function () {
  var fitted = [];

  function fitCharts() {
    var boxes = document.querySelectorAll("#main-content .svg-container");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      var w = box.offsetWidth, h = box.offsetHeight;
      if (!w || !h) { continue; }
      fitted.push({ box: box, width: box.style.width, height: box.style.height });
      box.style.width = "100%";
      box.style.height = "auto";
      box.style.aspectRatio = w + " / " + h;
      box.classList.add("vru-print-fit");
      var layers = box.querySelectorAll("svg.main-svg");
      for (var j = 0; j < layers.length; j++) {
        layers[j].setAttribute("viewBox", "0 0 " + w + " " + h);
        layers[j].setAttribute("preserveAspectRatio", "xMinYMin meet");
      }
    }
  }

  function unfitCharts() {
    fitted.forEach(function (f) {
      f.box.style.width = f.width;
      f.box.style.height = f.height;
      f.box.style.aspectRatio = "";
      f.box.classList.remove("vru-print-fit");
      var layers = f.box.querySelectorAll("svg.main-svg");
      for (var j = 0; j < layers.length; j++) {
        layers[j].removeAttribute("viewBox");
        layers[j].removeAttribute("preserveAspectRatio");
      }
    });
    fitted = [];
  }

  window.addEventListener("beforeprint", function () {
    unfitCharts();  // a second print before the first's afterprint
    fitCharts();
  });
  window.addEventListener("afterprint", unfitCharts);
})();
