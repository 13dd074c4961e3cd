// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Live countdowns: <span class="countdown" data-deadline="ISO" data-risk="ISO">.
  function pad(n) { return n < 10 ? "0" + n : "" + n; }
  function tick() {
    var now = Date.now();
    document.querySelectorAll(".countdown[data-deadline]").forEach(function (el) {
      var deadline = Date.parse(el.dataset.deadline);
      var risk = el.dataset.risk ? Date.parse(el.dataset.risk) : null;
      var left = Math.round((deadline - now) / 1000);
      var sign = left < 0 ? "-" : "";
      var s = Math.abs(left);
      var text = sign + (s >= 86400 ? Math.floor(s / 86400) + "d " : "") +
        pad(Math.floor((s % 86400) / 3600)) + ":" + pad(Math.floor((s % 3600) / 60)) + ":" + pad(s % 60);
      el.textContent = text;
      el.classList.toggle("breached", left < 0);
      el.classList.toggle("at-risk", left >= 0 && risk !== null && now >= risk);
      var row = el.closest("tr");
      if (row) {
        row.classList.toggle("breached", left < 0);
        row.classList.toggle("at-risk", left >= 0 && risk !== null && now >= risk);
      }
    });
  }

  // Caller lookup as you type: the server renders the panel, we swap it in.
  function lookup() {
    var input = document.querySelector("[data-lookup]");
    if (!input) return;
    var target = document.getElementById(input.dataset.lookup);
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = input.value.trim();
        if (q.length < 2) return;
        fetch(input.dataset.url + "?q=" + encodeURIComponent(q), { headers: { "X-Requested-With": "fetch" } })
          .then(function (r) { return r.ok ? r.text() : null; })
          .then(function (html) { if (html !== null && input.value.trim() === q) { target.innerHTML = html; } });
      }, 250);
    });
  }

  // Where the browser allows it, fill in the location on check-in forms.
  function geolocate() {
    document.querySelectorAll("form[data-geolocate]").forEach(function (form) {
      var note = form.querySelector("[data-location-note]");
      // Denied or unavailable: say so before the engineer checks in without a position.
      function notShared() { if (note && note.dataset.denied) note.textContent = note.dataset.denied; }
      if (!navigator.geolocation) { notShared(); return; }
      navigator.geolocation.getCurrentPosition(function (pos) {
        form.querySelector("[name=latitude]").value = pos.coords.latitude.toFixed(6);
        form.querySelector("[name=longitude]").value = pos.coords.longitude.toFixed(6);
        form.querySelector("[name=accuracy]").value = Math.round(pos.coords.accuracy);
        if (note) note.textContent = pos.coords.latitude.toFixed(5) + ", " + pos.coords.longitude.toFixed(5);
      }, notShared, { timeout: 8000, maximumAge: 60000 });
    });
  }

  // Signature pad: draw with finger or mouse; the PNG goes in a hidden field.
  function signaturePads() {
    document.querySelectorAll("canvas.signature").forEach(function (canvas) {
      var form = canvas.closest("form");
      var field = form.querySelector("[name=signature]");
      var ctx = canvas.getContext("2d");
      function fit() {
        var ratio = window.devicePixelRatio || 1;
        canvas.width = canvas.clientWidth * ratio;
        canvas.height = canvas.clientHeight * ratio;
        ctx.scale(ratio, ratio);
        ctx.lineWidth = 2.5; ctx.lineCap = "round"; ctx.strokeStyle = "#111";
      }
      fit();
      var drawing = false, drawn = false;
      function point(e) {
        var rect = canvas.getBoundingClientRect();
        return [e.clientX - rect.left, e.clientY - rect.top];
      }
      canvas.addEventListener("pointerdown", function (e) {
        drawing = true; canvas.setPointerCapture(e.pointerId);
        var p = point(e); ctx.beginPath(); ctx.moveTo(p[0], p[1]);
      });
      canvas.addEventListener("pointermove", function (e) {
        if (!drawing) return;
        var p = point(e); ctx.lineTo(p[0], p[1]); ctx.stroke(); drawn = true;
      });
      canvas.addEventListener("pointerup", function () {
        drawing = false;
        if (drawn) field.value = canvas.toDataURL("image/png");
      });
      var clear = form.querySelector("[data-clear-signature]");
      if (clear) clear.addEventListener("click", function (e) {
        e.preventDefault(); ctx.clearRect(0, 0, canvas.width, canvas.height); field.value = ""; drawn = false;
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    tick(); setInterval(tick, 1000);
    lookup(); geolocate(); signaturePads();
  });
})();
