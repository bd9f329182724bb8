// cartsync console: the only script. Pages work without it; it adds "select all" to bulk actions
// and asks before an action changes many orders at once.
document.addEventListener("change", (event) => {
  const box = event.target;
  if (box.matches("input[data-select-all]")) {
    const form = box.closest("form");
    form.querySelectorAll(`input[type=checkbox][name="${box.dataset.selectAll}"]`).forEach((item) => {
      item.checked = box.checked;
    });
  }
});

document.addEventListener("submit", (event) => {
  const form = event.target;
  const button = event.submitter;
  if (!button || button.name !== "action") return;
  const picked = form.querySelectorAll("input[type=checkbox][name=key]:checked").length;
  if (picked > 1 && !window.confirm(`${button.textContent.trim()} ${picked} orders?`)) {
    event.preventDefault();
  }
});
