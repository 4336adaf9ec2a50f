// Signup and ticket pages. Without JavaScript the student fieldset simply stays visible and the form works.
(function () {
  "use strict";

  // Show the student fields only while a student category is chosen (data-student="1" on its radio).
  document.querySelectorAll("[data-registration-form]").forEach(function (form) {
    var fields = form.querySelector("[data-student-fields]");
    var radios = form.querySelectorAll("input[name=category_id]");
    if (!fields || !radios.length) { return; }
    function update() {
      var chosen = form.querySelector("input[name=category_id]:checked");
      var student = chosen ? chosen.getAttribute("data-student") === "1" : false;
      var hasErrors = fields.querySelector(".error") !== null;
      fields.hidden = !student && !hasErrors;
      fields.disabled = fields.hidden;
    }
    radios.forEach(function (radio) { radio.addEventListener("change", update); });
    update();
  });

  // The ticket's Print button needs JavaScript, so it is hidden until this runs.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.classList.remove("hidden");
    button.addEventListener("click", function () { window.print(); });
  });
})();
