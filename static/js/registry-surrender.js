// Surrender form: recompute the remaining obligation and the offset headroom while quantities are typed.
(function () {
  var form = document.getElementById("surrender-form");
  if (!form) return;
  var remaining = Number(form.dataset.remaining), headroom = Number(form.dataset.headroom);
  var outRemaining = document.getElementById("live-remaining"), outHeadroom = document.getElementById("live-headroom");
  function update() {
    var allowances = 0, offsets = 0;
    form.querySelectorAll("input[type=number]").forEach(function (input) {
      var value = Number(input.value) || 0;
      if (input.name.indexOf("u_ALLOWANCE_") === 0) { allowances += value; } else { offsets += value; }
    });
    outRemaining.textContent = Math.max(0, remaining - allowances - Math.min(offsets, headroom)).toLocaleString();
    outHeadroom.textContent = (headroom - offsets).toLocaleString();
    outHeadroom.classList.toggle("error", offsets > headroom);
  }
  form.addEventListener("input", update);
  update();
})();
