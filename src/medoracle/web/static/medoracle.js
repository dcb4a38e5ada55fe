// Progressive enhancement only: every page works without this file.
// A submitted question takes a moment to compose; say so and stop double submits.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!(form instanceof HTMLFormElement)) { return; }
  if (form.id !== "ask-form" && form.id !== "followup-form") { return; }
  var button = form.querySelector("button[type=submit]");
  if (button) {
    window.setTimeout(function () {
      button.disabled = true;
      button.textContent = "Composing the answer…";
    }, 0);
  }
});
