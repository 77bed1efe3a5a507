/* The embed gallery's "Copy" buttons. The embeds themselves load no script:
   each chart is drawn on the server (web/embed_svg.py: the embed's figure
   through components.figure_svg, the app's renderer), a phone drawing and a
   wide one, the page's CSS showing the one that fits (web/static/embed.css). */
(function () {
  "use strict";

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

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", copyButtons);
  } else {
    copyButtons();
  }
})();
