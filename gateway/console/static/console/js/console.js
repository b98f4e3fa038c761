// Small behaviours shared by every console page. No inline script anywhere: the CSP forbids it.
"use strict";

// Forms (or the button that submits them) marked data-confirm ask before they change anything.
document.addEventListener("submit", (event) => {
  const form = event.target;
  const message = (event.submitter && event.submitter.dataset.confirm) || (form.dataset && form.dataset.confirm);
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});

// Selects marked data-autosubmit submit their form on change (year pickers, filters).
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field.matches && field.matches("[data-autosubmit]") && field.form) {
    field.form.requestSubmit();
  }
});

// Buttons marked data-copy copy the text of the element they name (a secret shown once).
document.addEventListener("click", (event) => {
  const button = event.target.closest ? event.target.closest("[data-copy]") : null;
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  if (source && navigator.clipboard) {
    navigator.clipboard.writeText(source.textContent.trim()).then(() => {
      button.dataset.copied = "true";
    });
  }
});

// Print buttons (the annual report).
document.addEventListener("click", (event) => {
  if (event.target.matches && event.target.matches("[data-print]")) window.print();
});

/** JSON embedded by the server in <script type="application/json" id="…"> (data, not code). */
window.parkloopData = function parkloopData(id) {
  const element = document.getElementById(id);
  return element ? JSON.parse(element.textContent) : null;
};
