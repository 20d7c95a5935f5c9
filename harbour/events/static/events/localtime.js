// An event's time in the visitor's own time zone, beside the event's (progressive: without
// JavaScript the page lists Canada's zones instead). Reads <time data-local datetime="…">.
(function () {
  "use strict";
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (e) {
    return;
  }
  var lang = document.documentElement.lang || undefined;
  document.querySelectorAll("time[data-local]").forEach(function (el) {
    var when = new Date(el.getAttribute("datetime"));
    if (isNaN(when)) return;
    var shown = new Intl.DateTimeFormat(lang, {
      dateStyle: "full", timeStyle: "short", timeZone: zone
    }).format(when);
    var note = document.createElement("span");
    note.className = "local-time";
    note.textContent = " · " + (el.getAttribute("data-local") || "") + " " + shown + " (" + zone + ")";
    el.after(note);
  });
})();
