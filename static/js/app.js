// Behaviour shared by every page. No inline scripts anywhere: the Content-Security-Policy forbids them.
(function () {
  "use strict";

  // <button data-confirm="Are you sure?">: ask before a destructive form is sent.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var message = (button && button.getAttribute("data-confirm")) || event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });

  // Logging out takes the offline door's roster (names of this device's seminars) and its kept pages off this
  // device. The queue of scans not yet synced stays: it holds no roster, and the next login sends it.
  document.querySelectorAll("form[action$='/logout']").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.indexedDB || form.dataset.cleared) { return; }
      event.preventDefault();
      var cleared = [new Promise(function (resolve) {
        var request = window.indexedDB.deleteDatabase("eventreg-door");
        request.onsuccess = request.onerror = request.onblocked = resolve;
      })];
      if (window.caches) {
        cleared.push(window.caches.keys().then(function (names) {
          return Promise.all(names.filter(function (name) { return name.indexOf("eventreg-door-") === 0; })
            .map(function (name) { return window.caches.delete(name); }));
        }));
      }
      var timeout = new Promise(function (resolve) { setTimeout(resolve, 2000); });
      Promise.race([Promise.all(cleared), timeout]).then(function () {
        form.dataset.cleared = "true";
        form.submit();
      }, function () { form.submit(); });
    });
  });

  // <select data-autosubmit>: change sends the form; the submit button stays for no-JS users.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
    var button = select.form.querySelector("button[type=submit]");
    if (button) { button.hidden = true; }
  });
})();
