// django-celery-beat's periodic task form: shows the chosen crontab in words.
// A file rather than the package's inline script, so the page runs under the CSP.
"use strict";
(function () {
  const $ = django.jQuery;
  const script = document.getElementById("periodic-task-overrides");
  const readable = JSON.parse(document.getElementById("readable-crontabs").textContent);
  const help = script.dataset.help || "";
  $(function () {
    $(".field-crontab_translation").hide();
    $(".field-crontab").on("change", function () {
      const text = readable[$("#id_crontab").val()] || "";
      $(".field-crontab .help").text(help + " — " + text);
    });
  });
})();
