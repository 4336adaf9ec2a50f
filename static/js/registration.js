// Signup and ticket pages. Without JavaScript the student fieldset simply stays visible and the form works;
// the server checks every field again (these checks only save a round trip).
(function () {
  "use strict";

  var EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

  function errorFor(field) {
    var id = (field.id || field.name) + "-error";
    var holder = field.closest(".field, fieldset");
    var node = document.getElementById(id) || (holder && holder.querySelector(".error"));
    if (!node && holder) {
      node = document.createElement("p");
      node.className = "error";
      node.id = id;
      holder.appendChild(node);
    }
    return node;
  }

  function show(field, message) {
    var holder = field.closest(".field, fieldset");
    var node = errorFor(field);
    if (holder) { holder.classList.toggle("has-error", !!message); }
    if (node) { node.textContent = message || ""; node.hidden = !message; }
    if (field.type !== "radio") {
      field.setAttribute("aria-invalid", message ? "true" : "false");
      if (node && message) {
        var described = (field.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
        if (described.indexOf(node.id) < 0) { described.push(node.id); }
        field.setAttribute("aria-describedby", described.join(" "));
      }
    }
  }

  // What the server would say first about each required field; "" when it looks right.
  function problem(form, field) {
    var messages = form.dataset;
    if (field.type === "radio") {
      return form.querySelector("input[name='" + field.name + "']:checked") ? "" : messages.messageCategory;
    }
    if (field.type === "checkbox") { return field.checked ? "" : messages.messageConsent; }
    var value = field.value.trim();
    if (!value) { return messages.messageRequired; }
    if (field.type === "email" && !EMAIL.test(value)) { return messages.messageEmail; }
    return "";
  }

  function checked(form) {
    var fields = [];
    form.querySelectorAll("input[required], input[type=email], input[name=category_id], input[name=consent_data]")
      .forEach(function (field) {
        if (field.disabled || field.closest("[hidden]")) { return; }
        if (field.type === "radio" && fields.some(function (f) { return f.name === field.name; })) { return; }
        if (field.type === "email" && !field.required && !field.value.trim()) { return; }
        fields.push(field);
      });
    return fields;
  }

  function summarise(form, problems) {
    var old = document.querySelector("[data-error-summary]");
    if (old) { old.remove(); }
    var box = document.createElement("div");
    box.className = "error-summary";
    box.setAttribute("role", "alert");
    box.setAttribute("tabindex", "-1");
    box.setAttribute("data-error-summary", "");
    var title = document.createElement("h2");
    title.textContent = form.dataset.messageSummary;
    var list = document.createElement("ul");
    problems.forEach(function (item) {
      var label = item.field.type === "radio"
        ? item.field.closest("fieldset").querySelector("legend")
        : form.querySelector("label[for='" + item.field.id + "']");
      var li = document.createElement("li");
      var link = document.createElement("a");
      link.href = "#" + item.field.id;
      link.textContent = (label ? label.textContent.replace("*", "").trim() + ": " : "") + item.message;
      li.appendChild(link);
      list.appendChild(li);
    });
    box.appendChild(title);
    box.appendChild(list);
    form.parentNode.insertBefore(box, form);
    box.focus();
  }

  document.querySelectorAll("[data-registration-form]").forEach(function (form) {
    // Show the student fields only while a student category is chosen (data-student="1" on its radio).
    var fields = form.querySelector("[data-student-fields]");
    var radios = form.querySelectorAll("input[name=category_id]");
    function update() {
      if (!fields || !radios.length) { return; }
      var chosen = form.querySelector("input[name=category_id]:checked");
      var student = chosen ? chosen.getAttribute("data-student") === "1" : false;
      var hasErrors = fields.querySelector(".error:not([hidden])") !== null;
      fields.hidden = !student && !hasErrors;
      fields.disabled = fields.hidden;
    }
    // The seminar's questions for some categories only: shown while one of them is chosen (or while the server
    // marked an answer there). Hidden ones are disabled, so they are not sent.
    var questions = form.querySelector("[data-questions-by-category]");
    function updateQuestions() {
      if (!questions) { return; }
      var chosen = form.querySelector("input[name=category_id]:checked");
      questions.querySelectorAll("[data-categories]").forEach(function (block) {
        var ids = block.getAttribute("data-categories").split(" ").filter(Boolean);
        var shown = !ids.length || (chosen && ids.indexOf(chosen.value) >= 0) ||
          block.querySelector(".error:not([hidden])") !== null;
        block.hidden = !shown;
        block.querySelectorAll("input, textarea, select").forEach(function (input) { input.disabled = !shown; });
      });
      questions.hidden = questions.querySelector("[data-categories]:not([hidden])") === null;
    }
    radios.forEach(function (radio) {
      radio.addEventListener("change", update);
      radio.addEventListener("change", updateQuestions);
    });
    update();
    updateQuestions();

    if (!form.dataset.messageRequired) { return; }  // the organizer's pages: the server's checks only
    // Inline checks: a message goes as soon as the value is right (while typing); a new one appears when the
    // field is left, but only once the tap that left it has landed: text appearing under a finger on its way
    // down would move the target away from it.
    var pending = [];
    var pointerDown = false;
    function flush() {
      pending.splice(0).forEach(function (field) { show(field, problem(form, field)); });
    }
    document.addEventListener("pointerdown", function () { pointerDown = true; }, true);
    ["pointerup", "pointercancel"].forEach(function (name) {
      document.addEventListener(name, function () { pointerDown = false; setTimeout(flush, 0); }, true);
    });
    form.addEventListener("input", function (event) {
      var field = event.target;
      if (field.getAttribute("aria-invalid") === "true" && !problem(form, field)) { show(field, ""); }
    });
    form.addEventListener("focusout", function (event) {
      var field = event.target;
      if (checked(form).indexOf(field) >= 0 && field.type !== "radio" && field.type !== "checkbox") {
        pending.push(field);
        if (!pointerDown) { setTimeout(flush, 0); }
      }
    });
    form.addEventListener("change", function (event) {
      var field = event.target;
      if (field.type === "radio" || field.type === "checkbox") {
        var first = checked(form).filter(function (f) { return f.name === field.name; })[0];
        if (first) { show(first, problem(form, first)); }
      }
    });
    form.addEventListener("submit", function (event) {
      var problems = [];
      checked(form).forEach(function (field) {
        var message = problem(form, field);
        show(field, message);
        if (message) { problems.push({field: field, message: message}); }
      });
      if (problems.length) {
        event.preventDefault();
        summarise(form, problems);
      }
    });
  });

  // After a failed submit the server's error summary takes the focus; its links focus the field itself.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) { return; }
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (target) {
      event.preventDefault();
      target.scrollIntoView({block: "center"});
      target.focus();
    }
  });

  // The ticket's Print button needs JavaScript, so it is hidden until this runs.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.classList.remove("hidden");
    button.addEventListener("click", function () { window.print(); });
  });
})();
