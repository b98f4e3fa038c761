// The issue-a-key form: show only the fields the chosen role may name, and only the enterprises of
// the chosen park. Without this script the form still works: the server refuses what a role may not name.
"use strict";

(function () {
  const form = document.getElementById("key-form");
  if (!form) return;
  const park = form.querySelector("#park_id");
  const enterprise = form.querySelector("#enterprise_id");
  const parkField = form.querySelector("#park-field");
  const enterpriseField = form.querySelector("#enterprise-field");
  const province = form.querySelector("#province");
  const provinceField = form.querySelector("#province-field");
  const scope = form.querySelector("#scope-fields");

  function role() {
    const checked = form.querySelector("input[name=role]:checked");
    return checked ? checked.value : "";
  }

  function show(field, select, visible) {
    field.hidden = !visible;
    select.disabled = !visible; // a hidden field is not sent
  }

  function filterEnterprises() {
    const chosen = park.value;
    enterprise.querySelectorAll("optgroup").forEach((group) => {
      const match = !chosen || group.dataset.park === chosen;
      group.hidden = !match;
      group.disabled = !match;
    });
    const selected = enterprise.selectedOptions[0];
    if (selected && selected.dataset.park && chosen && selected.dataset.park !== chosen) enterprise.value = "";
  }

  function update() {
    const current = role();
    show(parkField, park, current === "park_manager" || current === "enterprise");
    show(enterpriseField, enterprise, current === "enterprise");
    show(provinceField, province, current === "province");
    scope.hidden = current === "admin";
    filterEnterprises();
  }

  form.addEventListener("change", (event) => {
    if (event.target === enterprise) {
      const selected = enterprise.selectedOptions[0];
      if (selected && selected.dataset.park) park.value = selected.dataset.park;
    }
    update();
  });
  update();
})();
