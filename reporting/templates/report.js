(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) { return; }
  var kindSel = document.getElementById("filter-kind");
  var srcSel = document.getElementById("filter-source");
  var status = document.getElementById("filter-status");
  var none = document.getElementById("no-match");
  var devs = Array.prototype.slice.call(document.querySelectorAll("#timeline > .dev"));
  var segs = Array.prototype.slice.call(document.querySelectorAll(".chart .seg"));
  function sourcesOf(el) {
    try { return JSON.parse(el.getAttribute("data-sources") || "[]"); } catch (e) { return []; }
  }
  function apply() {
    var k = kindSel.value, s = srcSel.value, shown = 0;
    devs.forEach(function (el) {
      var ok = (!k || el.getAttribute("data-kind") === k) && (!s || sourcesOf(el).indexOf(s) >= 0);
      el.hidden = !ok;
      if (ok) { shown += 1; }
    });
    segs.forEach(function (el) {
      el.classList.toggle("dim", !!k && el.getAttribute("data-kind") !== k);
    });
    none.hidden = shown !== 0;
    status.textContent = (k || s) ? shown + " of " + devs.length + " developments shown" : "Showing all " + devs.length + " developments";
  }
  kindSel.addEventListener("change", apply);
  srcSel.addEventListener("change", apply);
  form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
  form.addEventListener("submit", function (e) { e.preventDefault(); apply(); });
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (d) { d.setAttribute("open", ""); });
  });
  form.hidden = false;
  apply();
})();
