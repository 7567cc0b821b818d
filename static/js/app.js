// Behaviour shared by every page. No inline scripts anywhere: the Content Security Policy allows only these files.
(function () {
  // A <select data-submit-on-change> submits its form when changed (the language switch).
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("select[data-submit-on-change]") && target.form) {
      target.form.submit();
    }
  });
})();
