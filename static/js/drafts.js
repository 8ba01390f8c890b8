// Keeps what a customer types into a form marked data-draft in this tab's sessionStorage, so nothing
// is lost when the session expired meanwhile: after signing in again the form comes back filled.
// A page marked data-draft-sent (shown once the form went through) forgets the draft.
(function () {
  "use strict";
  function restoreAndKeep(form) {
    var key = "draft:" + form.dataset.draft;
    var fields = Array.prototype.slice.call(form.querySelectorAll("input[type=text], textarea, select"));
    var saved = null;
    try {
      saved = JSON.parse(window.sessionStorage.getItem(key) || "null");
    } catch (error) {
      saved = null;
    }
    if (saved) {
      fields.forEach(function (field) {
        if (!field.value && saved[field.name]) {
          field.value = saved[field.name];
        }
      });
    }
    function save() {
      var data = {};
      fields.forEach(function (field) {
        data[field.name] = field.value;
      });
      window.sessionStorage.setItem(key, JSON.stringify(data));
    }
    form.addEventListener("input", save);
    form.addEventListener("change", save);
  }
  function start() {
    document.querySelectorAll("[data-draft-sent]").forEach(function (element) {
      window.sessionStorage.removeItem("draft:" + element.dataset.draftSent);
    });
    document.querySelectorAll("form[data-draft]").forEach(restoreAndKeep);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
