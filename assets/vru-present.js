/* Meeting mode (pages/present.py): one slide at a time, moved by the arrow keys,
   Page Up / Page Down, Home / End or the on-screen buttons. The slide number is
   kept in the URL's hash (#slide-3), so a jump to a measure's live page and the
   browser's Back button return to the same slide. Served by the app (no inline
   script, CSP 'self'). */
(function () {
  function slides() {
    return Array.prototype.slice.call(document.querySelectorAll(".present-slide"));
  }
  function current() {
    var match = /#slide-(\d+)/.exec(window.location.hash);
    return match ? parseInt(match[1], 10) : 1;
  }
  function show(n, focus) {
    var all = slides();
    if (!all.length) { return; }
    n = Math.max(1, Math.min(all.length, n));
    all.forEach(function (slide, i) { slide.hidden = i !== n - 1; });
    var counter = document.getElementById("present-counter");
    if (counter) { counter.textContent = "Slide " + n + " of " + all.length; }
    var prev = document.getElementById("present-prev");
    var next = document.getElementById("present-next");
    if (prev) { prev.disabled = n === 1; }
    if (next) { next.disabled = n === all.length; }
    var url = window.location.pathname + window.location.search + "#slide-" + n;
    window.history.replaceState(window.history.state, "", url);
    if (focus) {
      var heading = all[n - 1].querySelector("h2");
      if (heading) { heading.focus(); }
    }
  }
  document.addEventListener("keydown", function (event) {
    if (!document.getElementById("present-deck") || event.altKey ||
        event.ctrlKey || event.metaKey) { return; }
    var tag = event.target && event.target.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") { return; }
    var n = current();
    var moves = {
      ArrowRight: n + 1, PageDown: n + 1, ArrowLeft: n - 1, PageUp: n - 1,
      Home: 1, End: slides().length
    };
    if (!(event.key in moves)) { return; }
    event.preventDefault();
    show(moves[event.key], true);
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest &&
      event.target.closest("#present-prev, #present-next, #present-fullscreen");
    if (!button) { return; }
    if (button.id === "present-fullscreen") {
      var deck = document.getElementById("present-deck");
      if (document.fullscreenElement) { document.exitFullscreen(); }
      else if (deck && deck.requestFullscreen) { deck.requestFullscreen(); }
      return;
    }
    show(current() + (button.id === "present-next" ? 1 : -1), false);
  });
  /* The slides arrive from a callback: show the hash's slide once they do. */
  new MutationObserver(function () {
    var deck = document.getElementById("present-deck");
    var first = document.querySelector(".present-slide");
    if (deck && first && deck.getAttribute("data-shown") !== first.id) {
      deck.setAttribute("data-shown", first.id);
      show(current(), false);
    }
  }).observe(document.documentElement, { childList: true, subtree: true });
})();

/* Checkbox and radio sets (dcc.Checklist / dcc.RadioItems) in a fieldset: Dash 4
   draws them as a listbox of options that each hold a native input, which nests
   one control in another and leaves the listbox unnamed. Inside a fieldset the
   native inputs with their labels and the legend say it all, so the listbox
   roles are taken off (pages/board_pack.py). */
(function () {
  function plainChoices() {
    var lists = document.querySelectorAll("fieldset .dash-options-list[role]");
    for (var i = 0; i < lists.length; i++) {
      lists[i].removeAttribute("role");
      var options = lists[i].querySelectorAll("[role=option]");
      for (var j = 0; j < options.length; j++) {
        options[j].removeAttribute("role");
        options[j].removeAttribute("aria-selected");
      }
    }
  }
  new MutationObserver(plainChoices).observe(document.documentElement,
    { childList: true, subtree: true, attributes: true, attributeFilter: ["role"] });
})();
