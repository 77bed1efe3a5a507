/* The Returns page's upload size check (pages/returns.py), before the file is
   sent: a file far over the limit would otherwise be stopped by the server's
   request limit (HTTP 413), which the page could not show. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  vruReturns: {
    checkSize: function (contents, filename, limit) {
      var noUpdate = window.dash_clientside.no_update;
      if (!contents) { return [noUpdate, noUpdate, noUpdate, noUpdate, noUpdate]; }
      var comma = contents.indexOf(",");
      var bytes = Math.floor((contents.length - comma - 1) * 3 / 4);
      if (bytes > limit) {
        var mb = function (n) { return (n / 1048576).toFixed(1); };
        var text = (filename || "The file") + ": not saved. It is " + mb(bytes) +
          " MB; the largest file accepted is " + mb(limit) + " MB. Nothing " +
          "was sent or changed.";
        // The file is not passed on; an earlier upload's result is cleared.
        return [noUpdate, noUpdate, text, false, ""];
      }
      return [contents, filename || null, "", true, noUpdate];
    }
  }
});
