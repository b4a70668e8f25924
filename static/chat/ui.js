// Small DOM helpers shared by the page's modules. Untrusted text only ever goes in via
// textContent or attributes; innerHTML is used for the server-sanitised answer HTML alone.

export const $ = (id) => document.getElementById(id);

export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

// A copy of a <template>'s first element (markup lives in the page, not in strings here).
export function fromTemplate(id) {
  return $(id).content.firstElementChild.cloneNode(true);
}

export function button(label, className = "button subtle") {
  const node = el("button", className, label);
  node.type = "button";
  return node;
}

// One polite live region for the whole page; clearing first makes a repeated text re-announce.
let announceTimer = 0;
export function announce(text) {
  const region = $("announcer");
  region.textContent = "";
  clearTimeout(announceTimer);
  announceTimer = setTimeout(() => {
    region.textContent = text;
  }, 50);
}

// The page-level error strip, with an optional action ("Try again") that may wait retryAfter s.
let stopCountdown = () => {};
export function showError(message, { retry, retryAfter, retryLabel = "Try again" } = {}) {
  const box = $("error");
  stopCountdown();
  box.replaceChildren(el("span", "error-text", message));
  if (retry) {
    const action = button(retryLabel, "button");
    action.addEventListener("click", () => {
      hideError();
      retry();
    });
    box.append(action);
    stopCountdown = waitBeforeRetry(action, retryLabel, retryAfter);
  }
  box.hidden = false;
}

export function hideError() {
  stopCountdown();
  $("error").hidden = true;
  $("error").replaceChildren();
}

// Keep a retry button disabled while the server asked us to wait, showing the seconds left.
// Returns a function that cancels the wait.
export function waitBeforeRetry(action, label, seconds) {
  let left = Math.min(Math.ceil(seconds || 0), 300);
  if (!(left > 0)) return () => {};
  const labelNode = action.querySelector(".label") || action;
  const tick = () => {
    action.disabled = left > 0;
    labelNode.textContent = left > 0 ? `${label} (${left}s)` : label;
    if (left-- <= 0) clearInterval(timer);
  };
  const timer = setInterval(tick, 1000);
  tick();
  return () => {
    clearInterval(timer);
    action.disabled = false;
    labelNode.textContent = label;
  };
}

const dayFormat = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });
const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });

// "14:05" today, "Mar 3" before: local time, from an ISO timestamp.
export function formatWhen(iso) {
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return "";
  const today = new Date();
  return when.toDateString() === today.toDateString()
    ? timeFormat.format(when)
    : dayFormat.format(when);
}

export function setTime(node, iso) {
  node.dateTime = iso;
  node.textContent = formatWhen(iso);
  node.title = new Date(iso).toLocaleString();
}

// Panels and drawers: remember what had focus, hand it back on close.
export function focusFirst(container) {
  const target = container.querySelector(
    "input:not([type=hidden]):not([disabled]), textarea, button:not([disabled]), a[href]",
  );
  (target || container).focus();
}

export function isNearBottom(scroller) {
  return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80;
}
