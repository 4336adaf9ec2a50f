// The organizer's seminar pages: the up/down buttons move a programme item, category or question without
// reloading (without JavaScript the same buttons post a form and the page comes back at the moved row); the
// question form shows the choices and the number limits only for the kinds they apply to.
(function () {
  "use strict";

  function refreshButtons(list) {
    var rows = Array.prototype.filter.call(list.children, function (row) { return row.hasAttribute("data-movable"); });
    rows.forEach(function (row, index) {
      var up = row.querySelector("[data-move] button[value=up]");
      var down = row.querySelector("[data-move] button[value=down]");
      if (up) { up.disabled = index === 0; }
      if (down) { down.disabled = index === rows.length - 1; }
    });
  }

  var questionForm = document.querySelector("[data-question-form]");
  if (questionForm) {
    var kind = questionForm.querySelector("select[name=kind]");
    var showParts = function () {
      questionForm.querySelectorAll("[data-for-kinds]").forEach(function (part) {
        var applies = part.getAttribute("data-for-kinds").split(" ").indexOf(kind.value) >= 0;
        part.hidden = !applies && !part.querySelector(".error");
      });
    };
    kind.addEventListener("change", showParts);
    showParts();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target.closest("[data-move]");
    var button = event.submitter;
    if (!form || !button || !window.fetch) { return; }
    event.preventDefault();
    var body = new FormData(form);
    body.set("direction", button.value);
    var row = form.closest("[data-movable]");
    var list = row.parentNode;
    fetch(form.action, {method: "POST", body: body, headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        if (button.value === "up" && row.previousElementSibling) {
          list.insertBefore(row, row.previousElementSibling);
        } else if (button.value === "down" && row.nextElementSibling) {
          list.insertBefore(row.nextElementSibling, row);
        }
        refreshButtons(list);
        (button.disabled ? form.querySelector("button:not([disabled])") : button).focus();
        document.body.setAttribute("data-last-move", row.id + ":" + button.value);
      })
      .catch(function () {
        var direction = document.createElement("input");
        direction.type = "hidden";
        direction.name = "direction";
        direction.value = button.value;
        form.appendChild(direction);
        form.submit();
      });
  });
})();
