// breachdesk dashboard: live deadline clocks and notification progress.
// Served from /static (CSP: script-src 'self'); no inline script anywhere.
"use strict";

(function () {
  var HOUR = 3600 * 1000;

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function leftText(ms) {
    var over = ms < 0, s = Math.floor(Math.abs(ms) / 1000);
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600);
    var m = Math.floor((s % 3600) / 60), sec = s % 60;
    var text = (d > 0 ? d + "d " : "") + pad(h) + "h " + pad(m) + "m " + pad(sec) + "s";
    return text + (over ? " overdue" : " left");
  }

  function band(ms) {
    if (ms < 0) return "overdue";
    if (ms < 12 * HOUR) return "urgent";
    if (ms < 48 * HOUR) return "soon";
    return "ok";
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll(".left[data-due]").forEach(function (el) {
      var due = el.getAttribute("data-due");
      var status = el.getAttribute("data-status");
      el.classList.remove("ok", "soon", "urgent", "overdue", "done", "none");
      if (!due) { el.textContent = "no fixed time"; el.classList.add("none"); return; }
      if (status && status !== "pending") { el.textContent = status; el.classList.add("done"); return; }
      var ms = Date.parse(due) - now;
      el.textContent = leftText(ms);
      el.classList.add(band(ms));
    });
  }

  function poll(box) {
    var url = box.getAttribute("data-url");
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        box.querySelectorAll("[data-state]").forEach(function (el) {
          var k = el.getAttribute("data-state");
          if (k in data) el.textContent = String(data[k]);
        });
        var bar = document.getElementById("progress-bar");
        if (bar && data.total) {
          var done = (data.sent || 0) + (data.failed || 0) + (data.bounced || 0);
          bar.style.width = Math.round((100 * done) / data.total) + "%";
        }
        var stamp = document.getElementById("progress-updated");
        if (stamp) stamp.textContent = "updated " + new Date().toISOString().slice(11, 19) + " UTC";
      })
      .catch(function () {});
  }

  document.addEventListener("DOMContentLoaded", function () {
    tick();
    setInterval(tick, 1000);
    var box = document.getElementById("progress");
    if (box) { poll(box); setInterval(function () { poll(box); }, 2000); }
  });
})();
