// What a reader does with a finished answer: copy it, rate it (with an optional comment).
import { api } from "./api.js";
import { announce, el, fromTemplate } from "./ui.js";

function flash(action, text) {
  const label = action.querySelector(".label");
  const status = action.closest(".actions").querySelector(".action-status");
  label.textContent = text;
  status.textContent = text === "Copied" ? "Copied to the clipboard" : text;
  clearTimeout(action.flashTimer);
  action.flashTimer = setTimeout(() => {
    label.textContent = "Copy";
    status.textContent = "";
  }, 2000);
}

export async function copy(answer, action) {
  const body = answer.querySelector(".body");
  try {
    await navigator.clipboard.writeText(body.innerText.trim());
    flash(action, "Copied");
  } catch {
    // No clipboard permission (or an old browser): select the text so Ctrl+C works.
    getSelection().selectAllChildren(body);
    flash(action, "Press Ctrl+C to copy");
  }
}

export function openFeedback(answer, action) {
  const actions = answer.querySelector(".actions");
  answer.querySelector(".feedback-form")?.remove();
  const rating = Number(action.dataset.rating);
  for (const rate of actions.querySelectorAll('[data-action="rate"]')) {
    rate.setAttribute("aria-pressed", String(rate === action));
  }
  const form = fromTemplate("tpl-feedback-form");
  const field = form.querySelector("textarea");
  form.querySelector("label").firstChild.textContent =
    rating === 1 ? "Thanks! What helped? (optional)" : "What was wrong or missing? (optional)";
  actions.after(form);
  field.focus();
  const cancel = () => {
    form.remove();
    action.setAttribute("aria-pressed", "false");
    action.focus();
  };
  form.querySelector('[data-action="cancel"]').addEventListener("click", cancel);
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.stopPropagation();
      cancel();
    }
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const submit = form.querySelector('[type="submit"]');
    submit.disabled = true;
    try {
      await api.feedback(answer.dataset.id, rating, field.value.trim());
      form.replaceWith(el("p", "note thanks", "Thanks for the feedback."));
      for (const rate of actions.querySelectorAll('[data-action="rate"]')) rate.disabled = true;
      announce("Feedback sent. Thank you.");
      action.focus();
    } catch (error) {
      submit.disabled = false;
      form.querySelector(".form-error")?.remove();
      form.append(el("p", "form-error", error.message));
    }
  });
}
