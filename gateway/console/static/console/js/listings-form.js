// Listing and enterprise forms: add a row to a list of properties/licences, and say what a waste code's format means.
"use strict";

// "Add a row": copy the last row of the list, number it next, empty it.
document.addEventListener("click", (event) => {
  const button = event.target.closest ? event.target.closest("[data-add-row]") : null;
  if (!button) return;
  const list = button.closest("[data-rows]");
  const rows = list.querySelectorAll("tr[data-row]");
  const last = rows[rows.length - 1];
  if (!last) return;
  const prefix = list.dataset.rows;
  const index = rows.length;
  const copy = last.cloneNode(true);
  const pattern = new RegExp("^" + prefix.replace(/[.]/g, "\\.") + "\\.\\d+\\.");
  const idPattern = new RegExp("^" + prefix.replace(/[.]/g, "-") + "-\\d+-");
  copy.querySelectorAll("input").forEach((input) => {
    input.name = input.name.replace(pattern, prefix + "." + index + ".");
    input.id = input.id.replace(idPattern, prefix.replace(/[.]/g, "-") + "-" + index + "-");
    input.value = "";
    input.removeAttribute("aria-invalid");
    input.removeAttribute("aria-describedby");
    input.setAttribute("aria-label", input.getAttribute("aria-label").replace(/\(\d+\)$/, "(" + (index + 1) + ")"));
  });
  copy.querySelectorAll(".field-error").forEach((element) => element.remove());
  copy.querySelectorAll(".has-error").forEach((element) => element.classList.remove("has-error"));
  list.querySelector("tbody").appendChild(copy);
  copy.querySelector("input").focus();
});

// A waste code's format names its list and class: NNN-NNN-NN hazardous (HW class), NNN-NNN-SNN general (S class).
function describeCodes(input) {
  const hint = document.getElementById(input.dataset.codeHint);
  if (!hint) return;
  const codes = input.value.split(/[\s,，;；、]+/).filter(Boolean);
  hint.classList.remove("hazardous", "general");
  if (!codes.length) { hint.textContent = ""; return; }
  const parts = codes.map((code) => {
    const hazardous = code.match(/^\d{3}-?\d{3}-?(\d{2})$/);
    const general = code.toUpperCase().match(/^\d{3}-?\d{3}-?S(\d{2})$/);
    // HW01–HW40 and HW45–HW50 exist; S01–S59 except S08 are industrial classes (the API checks the rest).
    const hw = hazardous ? Number(hazardous[1]) : 0;
    const s = general ? Number(general[1]) : 0;
    if (hazardous && ((hw >= 1 && hw <= 40) || (hw >= 45 && hw <= 50))) {
      hint.classList.add("hazardous");
      return code + ": " + hint.dataset.hazardous.replace("{n}", hazardous[1]);
    }
    if (general && s >= 1 && s <= 59 && s !== 8) return code + ": " + hint.dataset.general.replace("{n}", general[1]);
    return code + ": " + hint.dataset.unknown;
  });
  if (!hint.classList.contains("hazardous") && parts.every((p) => !p.endsWith(hint.dataset.unknown))) hint.classList.add("general");
  hint.textContent = parts.join("；");
}
document.querySelectorAll("[data-code-hint]").forEach((input) => {
  describeCodes(input);
  input.addEventListener("input", () => describeCodes(input));
});
