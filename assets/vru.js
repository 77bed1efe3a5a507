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
    /* Push the page's control values into the URL query so the view can be
       bookmarked and back/forward restore it (Dash pages re-renders on popstate). */
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
        window.history.pushState({}, "", next);
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
      proxy.tabIndex = -1;
      var trigger = proxy.nextElementSibling;
      if (trigger && trigger.tagName === "BUTTON" && !trigger.disabled) {
        trigger.tabIndex = 0;
      }
    }
  }
  function start() {
    fixDropdowns(document);
    new MutationObserver(function () { fixDropdowns(document); })
      .observe(document.body, { childList: true, subtree: true });
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
