// The encounter entry screen: the body map fills the active lesion's site and side, and shows each lesion as a
// lettered dot; "Add a lesion" asks the server for the next row. Loaded with <script src> (the CSP forbids inline).
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";

  function rows() { return Array.prototype.slice.call(document.querySelectorAll("#lesion-rows tr.lesion")); }

  function activeRow() {
    var chosen = document.querySelector("input[name='active']:checked");
    var index = chosen ? chosen.value : "0";
    return document.querySelector("#lesion-rows tr.lesion[data-index='" + index + "']");
  }

  function drawDots() {
    var layer = document.querySelector(".body-map .dots");
    if (!layer) { return; }
    while (layer.firstChild) { layer.removeChild(layer.firstChild); }
    var placed = {};
    rows().forEach(function (row) {
      var site = row.querySelector("select.site").value;
      var side = row.querySelector("select.side").value;
      if (!site) { return; }
      var regions = document.querySelectorAll(".body-map .region[data-site='" + site + "']");
      Array.prototype.forEach.call(regions, function (region) {
        if (region.getAttribute("data-side") !== side) { return; }
        var key = region.getAttribute("data-cx") + "," + region.getAttribute("data-cy");
        var shift = (placed[key] || 0) * 14;
        placed[key] = (placed[key] || 0) + 1;
        var x = Number(region.getAttribute("data-cx")) + shift, y = Number(region.getAttribute("data-cy"));
        var dot = document.createElementNS(SVG, "circle");
        dot.setAttribute("cx", x); dot.setAttribute("cy", y); dot.setAttribute("r", 8);
        dot.setAttribute("class", "dot");
        var letter = document.createElementNS(SVG, "text");
        letter.setAttribute("x", x); letter.setAttribute("y", y + 4);
        letter.setAttribute("class", "dot-letter");
        letter.textContent = row.getAttribute("data-letter");
        layer.appendChild(dot); layer.appendChild(letter);
      });
    });
  }

  function place(region) {
    var row = activeRow();
    if (!row) { return; }
    row.querySelector("select.site").value = region.getAttribute("data-site");
    var side = row.querySelector("select.side");
    side.value = region.getAttribute("data-side");
    side.dispatchEvent(new Event("change", { bubbles: true }));  // htmx codes the form again
    drawDots();
  }

  document.addEventListener("click", function (event) {
    var region = event.target.closest && event.target.closest(".body-map .region");
    if (region) { place(region); return; }
    if (event.target.id === "add-lesion") {
      var next = rows().length;
      window.htmx.ajax("GET", "/coding/lesion-row?index=" + next, { target: "#lesion-rows", swap: "beforeend" });
    }
  });
  document.addEventListener("keydown", function (event) {
    var region = event.target.closest && event.target.closest(".body-map .region");
    if (region && (event.key === "Enter" || event.key === " ")) { event.preventDefault(); place(region); }
  });
  // Working in a row makes it the active lesion.
  document.addEventListener("focusin", function (event) {
    var row = event.target.closest && event.target.closest("#lesion-rows tr.lesion");
    if (row) {
      var radio = row.querySelector("input[name='active']");
      if (radio && !radio.checked) { radio.checked = true; }
    }
  });
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select.site, select.side")) { drawDots(); }
  });
  document.addEventListener("htmx:afterSwap", drawDots);
  document.addEventListener("DOMContentLoaded", drawDots);
}());
