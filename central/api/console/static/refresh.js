// The fleet page refreshes its table by itself: every data-refresh-seconds it fetches the
// table's body from data-refresh-url and swaps it in (same origin, same cookie). Keyboard focus
// and the rest of the page stay where they are; a failed fetch keeps the last table.
(function () {
  "use strict";
  var table = document.querySelector("table[data-refresh-url]");
  if (!table) { return; }
  var url = table.getAttribute("data-refresh-url");
  var seconds = parseInt(table.getAttribute("data-refresh-seconds"), 10) || 15;
  function refresh() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (response.redirected || !response.ok) { throw new Error("fleet refresh failed"); }
        return response.text();
      })
      .then(function (html) {
        var body = new DOMParser().parseFromString("<table>" + html + "</table>", "text/html").querySelector("tbody");
        var old = table.querySelector("tbody");
        if (body && old) { table.replaceChild(document.importNode(body, true), old); }
        table.setAttribute("data-refreshed", String(Date.now()));
      })
      .catch(function () { /* the next refresh tries again */ });
  }
  window.setInterval(refresh, seconds * 1000);
}());
