// <input type="checkbox" data-select-all="ids">: ticks or clears every checkbox named "ids" on the page. Hidden
// in the HTML, so without JavaScript there is no box that does nothing; the rows' own boxes work either way.
(function () {
  "use strict";

  document.querySelectorAll("input[data-select-all]").forEach(function (all) {
    var boxes = document.querySelectorAll("input[type=checkbox][name='" + all.dataset.selectAll + "']");
    all.hidden = false;
    all.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = all.checked; });
    });
    boxes.forEach(function (box) {
      box.addEventListener("change", function () {
        all.checked = Array.prototype.every.call(boxes, function (b) { return b.checked; });
      });
    });
  });
})();
