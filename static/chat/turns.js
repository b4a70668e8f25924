// The conversation itself: send, stream, stop, regenerate, edit and resend, copy, feedback.
import { ApiError, api, readEvents } from "./api.js";
import { copy, openFeedback } from "./feedback.js";
import { renderPreview } from "./preview.js";
import {
  $,
  announce,
  el,
  fromTemplate,
  hideError,
  isNearBottom,
  showError,
  waitBeforeRetry,
} from "./ui.js";

const chat = $("chat");
const list = $("messages");
const composer = $("composer");
const input = $("message");
const sendButton = $("send");
const stopButton = $("stop");

// The turn being streamed: { controller, leaving }.
let active = null;

const TOOL_LABELS = {
  lookup_trouble_code: "Looking up the trouble code",
  decode_vin: "Decoding the VIN",
  get_vehicle_profile: "Reading your vehicle profile",
};

export const conversationId = () => chat.dataset.conversationId || "";
export const isBusy = () => active !== null;

// Called when the server tells us which conversation a turn belongs to (a new one on first
// send) and its title (set from the first question).
export function setConversation(id, title) {
  if (!id) return;
  if (conversationId() !== id) {
    chat.dataset.conversationId = id;
    history.replaceState(null, "", `/c/${id}`);
  }
  if (title) setTitle(title);
  document.dispatchEvent(new CustomEvent("chat:conversation", { detail: { id, title } }));
}

export function setTitle(title) {
  const shown = title || "New conversation";
  $("conversation-title").textContent = shown;
  document.title = `${shown} · AgentCarRepair`;
}

// Stop the answer being generated; true if there was one.
export function stop() {
  if (!active) return false;
  active.controller.abort();
  return true;
}

export function prefill(text) {
  input.value = text;
  autosize();
  input.focus();
  input.setSelectionRange(text.length, text.length);
}

// --- Messages ---------------------------------------------------------------------------------

function addArticle(role) {
  $("welcome")?.remove();
  const node = el("article", `message ${role}`);
  node.dataset.role = role;
  node.dataset.status = "complete";
  node.dataset.safety = "ok";
  node.append(
    el("h2", "visually-hidden", role === "user" ? "You said" : "AgentCarRepair answered"),
    el("div", "body plain"),
  );
  list.append(node);
  decorate(node);
  return node;
}

function decorate(node) {
  if (node.querySelector(":scope > .actions")) return;
  const user = node.dataset.role === "user";
  node.append(fromTemplate(user ? "tpl-question-actions" : "tpl-answer-actions"));
}

function articles() {
  return [...list.querySelectorAll(":scope > article.message")];
}

// Regenerate and Edit only make sense on the last answer and the last question.
function refreshActions() {
  const all = articles();
  const last = all.at(-1);
  const lastQuestion = all.findLast((node) => node.dataset.role === "user");
  for (const node of all) {
    const actions = node.querySelector(":scope > .actions");
    if (node.dataset.role === "user") {
      actions.querySelector('[data-action="edit"]').hidden = node !== lastQuestion || isBusy();
      continue;
    }
    const failed = node.dataset.status === "error";
    const regenerate = actions.querySelector('[data-action="regenerate"]');
    regenerate.hidden = node !== last || isBusy();
    if (!regenerate.disabled) {
      regenerate.querySelector(".label").textContent = failed ? "Try again" : "Regenerate";
    }
    for (const rate of actions.querySelectorAll('[data-action="rate"]')) {
      rate.hidden = !node.dataset.id || failed || node.dataset.status === "streaming";
    }
    const copy = actions.querySelector('[data-action="copy"]');
    copy.hidden = !node.querySelector(".body").textContent.trim();
  }
}

function setSafety(node, safety) {
  node.dataset.safety = safety || "ok";
  node.querySelector(":scope > .banner")?.remove();
  if (safety === "stop" || safety === "caution") {
    node.querySelector(":scope > h2").after(fromTemplate(`tpl-banner-${safety}`));
  }
}

function note(node, className, text) {
  node.querySelector(":scope > .note")?.remove();
  const paragraph = el("p", `note ${className}`, text);
  node.querySelector(":scope > .actions").before(paragraph);
  return paragraph;
}

function scrollToEnd() {
  list.scrollTop = list.scrollHeight;
}

function setBusy(busy) {
  sendButton.hidden = busy;
  stopButton.hidden = !busy;
  list.setAttribute("aria-busy", String(busy));
  if (!busy && (document.activeElement === stopButton || document.activeElement === document.body)) {
    input.focus();
  }
}

// --- One streamed turn ----------------------------------------------------------------------

// Drops a preview frame that was waiting: the server's HTML is about to replace it.
function cancelPreview(frame) {
  cancelAnimationFrame(frame);
  return 0;
}

// start(signal) makes the request; retry() repeats the whole turn after an error.
async function runTurn(start, { question, text, retry } = {}) {
  hideError();
  const controller = new AbortController();
  active = { controller, leaving: false };
  const answer = addArticle("assistant");
  answer.dataset.status = "streaming";
  answer.setAttribute("aria-busy", "true");
  const body = answer.querySelector(".body");
  body.classList.remove("plain");
  // The text so far, shown as a Markdown preview at most once per frame.
  let streamed = "";
  let frame = 0;
  const showStreamed = () => {
    frame = 0;
    const follow = isNearBottom(list);
    renderPreview(body, streamed);
    if (follow) scrollToEnd();
  };
  const status = note(answer, "typing", "Thinking…");
  setBusy(true);
  refreshActions();
  scrollToEnd();
  let outcome = null;
  let reached = false; // the server has the question (it said which conversation it is in)
  const turn = active;
  try {
    const response = await start(controller.signal);
    for await (const event of readEvents(response)) {
      const data = event.data;
      if (event.name === "meta") {
        reached = true;
        setConversation(data.conversation_id, data.title);
        if (question && data.question?.id) question.dataset.id = data.question.id;
        answer.dataset.answerId = data.answer_id || "";
      } else if (event.name === "delta") {
        streamed += data.text;
        status.hidden = true;
        frame ||= requestAnimationFrame(showStreamed);
      } else if (event.name === "tool") {
        status.textContent = `${TOOL_LABELS[data.name] || "Checking the built-in knowledge"}…`;
        status.hidden = false;
      } else if (event.name === "done") {
        frame = cancelPreview(frame);
        outcome = "done";
        finish(answer, data);
      } else if (event.name === "error") {
        if (data.message?.html) frame = cancelPreview(frame); // the stored answer replaces it
        outcome = "error";
        setConversation(data.conversation_id);
        fail(answer, data.error || {}, data.message);
      }
    }
    if (!outcome) throw new TypeError("The answer stopped arriving.");
  } catch (error) {
    if (error.name === "AbortError") {
      answer.dataset.status = "cancelled";
      note(answer, "stopped", "Stopped before it finished.");
      if (!turn.leaving) {
        announce("Stopped. The answer so far is kept.");
        syncStopped(answer);
      }
    } else if (error instanceof ApiError) {
      answer.remove();
      httpError(error, { question, text, retry });
    } else if (!reached) {
      answer.remove();
      question?.remove();
      if (question && !input.value && text) prefill(text);
      showError("Could not reach the server. Check the connection and try again.", { retry });
    } else {
      answer.dataset.status = "error";
      note(answer, "failed", "The connection was lost before the answer finished.");
      showError("Connection lost. Your question is saved.", { retry: () => regenerate() });
    }
  } finally {
    if (frame) {
      cancelAnimationFrame(frame);
      showStreamed(); // what arrived before a stop or an error stays on screen
    }
    status.remove();
    answer.removeAttribute("aria-busy");
    if (answer.dataset.status === "streaming") answer.dataset.status = "complete";
    if (active === turn) active = null;
    setBusy(false);
    refreshActions();
  }
}

function finish(answer, data) {
  const body = answer.querySelector(".body");
  body.classList.remove("plain");
  body.innerHTML = data.response; // sanitised by the server (nh3) before it was stored
  answer.dataset.id = data.message?.id || "";
  answer.dataset.status = "complete";
  setSafety(answer, data.safety);
  const warning = { stop: "Safety warning: stop driving. ", caution: "Caution. " }[data.safety];
  const text = body.innerText.trim().replace(/\s+/g, " ");
  const excerpt = text.length > 400 ? `${text.slice(0, 400)}…` : text;
  announce(`Answer complete. ${warning || ""}${excerpt}`);
}

function fail(answer, error, message) {
  answer.dataset.status = "error";
  answer.dataset.id = message?.id || "";
  const body = answer.querySelector(".body");
  if (message?.html) {
    body.classList.remove("plain");
    body.innerHTML = message.html; // server-sanitised, like every stored answer
  }
  setSafety(answer, message?.safety);
  const text = error.message || "The assistant could not answer. Your question is saved.";
  note(answer, "failed", text).setAttribute("role", "alert");
  const retry = answer.querySelector('[data-action="regenerate"]');
  answer.stopRetryWait?.();
  answer.stopRetryWait = waitBeforeRetry(retry, "Try again", error.retry_after);
}

// The server stores a stopped answer, under the id its `meta` event announced, when it notices
// we hung up (at its next token). Fetch it then, for its rendered HTML and for feedback.
async function syncStopped(answer) {
  const answerId = answer.dataset.answerId;
  for (const wait of [300, 1000, 2500]) {
    await new Promise((resolve) => setTimeout(resolve, wait));
    if (!answerId || !answer.isConnected || answer.dataset.id || isBusy()) return;
    let last;
    try {
      last = await api.message(answerId);
    } catch {
      continue; // not stored yet (404), or the network hiccuped: try again shortly
    }
    if (last.status !== "cancelled") return;
    if (!answer.isConnected || isBusy() || answer.dataset.status !== "cancelled") return;
    answer.dataset.id = last.id;
    if (last.html) {
      const body = answer.querySelector(".body");
      body.classList.remove("plain");
      body.innerHTML = last.html; // server-sanitised, like every stored answer
    }
    setSafety(answer, last.safety);
    refreshActions();
    return;
  }
}

function httpError(error, { question, text, retry }) {
  if (error.conversationId) setConversation(error.conversationId);
  const saved = Boolean(error.conversationId) || !question;
  if (question && !saved) {
    // The question never reached the database: give the words back instead of losing them.
    question.remove();
    if (!input.value && text) prefill(text);
  }
  if (error.code === "conversation_not_found") {
    showError(`${error.message} It may have been deleted.`, {
      retry: () => location.assign("/"),
      retryLabel: "Start a new conversation",
    });
    return;
  }
  const transient = error.status === 429 || error.status >= 500;
  const again = saved && conversationId() ? () => regenerate() : retry;
  showError(error.message, {
    retry: transient || error.conversationId ? again : null,
    retryAfter: error.retryAfter,
  });
}

// --- Actions --------------------------------------------------------------------------------

export function send(text) {
  if (isBusy()) return;
  const question = addArticle("user");
  question.querySelector(".body").textContent = text;
  const request = (signal) =>
    api.chat({ message: text, conversation_id: conversationId() || null }, signal);
  const retry = () => {
    if (input.value.trim() === text) {
      input.value = ""; // the words were given back after the failure; they are sent now
      autosize();
    }
    send(text);
  };
  return runTurn(request, { question, text, retry });
}

function dropAfterLastQuestion() {
  const all = articles();
  const index = all.findLastIndex((node) => node.dataset.role === "user");
  for (const node of all.slice(index + 1)) node.remove();
}

// Answer the last question again; with `message`, edit the question first.
export function regenerate(message) {
  const id = conversationId();
  if (!id || isBusy()) return;
  dropAfterLastQuestion();
  const retry = () => regenerate(message);
  return runTurn((signal) => api.regenerate(id, message, signal), { retry });
}

function startEdit(question) {
  if (isBusy() || question.querySelector(".edit-form")) return;
  const body = question.querySelector(".body");
  const actions = question.querySelector(".actions");
  const form = fromTemplate("tpl-edit-form");
  const field = form.querySelector("textarea");
  field.value = body.innerText.trim();
  body.hidden = true;
  actions.hidden = true;
  question.append(form);
  field.focus();
  const close = () => {
    form.remove();
    body.hidden = false;
    actions.hidden = false;
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = field.value.trim();
    if (!text) return;
    close();
    body.classList.add("plain");
    body.textContent = text;
    regenerate(text);
    input.focus();
  });
  form.querySelector('[data-action="cancel"]').addEventListener("click", () => {
    close();
    actions.querySelector('[data-action="edit"]').focus();
  });
  field.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    } else if (event.key === "Escape") {
      event.stopPropagation();
      close();
      actions.querySelector('[data-action="edit"]').focus();
    }
  });
}

// --- Wiring ---------------------------------------------------------------------------------

function autosize() {
  if (!input.value) {
    input.style.height = ""; // back to one row (scrollHeight would count a wrapped placeholder)
    return;
  }
  input.style.height = "auto";
  input.style.height = `${input.scrollHeight + 2}px`;
}

export function init() {
  for (const node of articles()) decorate(node);
  const last = articles().at(-1);
  if (last?.dataset.status === "error") {
    const retry = last.querySelector('[data-action="regenerate"]');
    retry.querySelector(".label").textContent = "Try again";
  }
  refreshActions();
  scrollToEnd();

  composer.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text || isBusy()) return;
    input.value = "";
    autosize();
    send(text);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      if (input.value.trim()) composer.requestSubmit();
    }
  });
  input.addEventListener("input", autosize);
  stopButton.addEventListener("click", stop);

  list.addEventListener("click", (event) => {
    const suggestion = event.target.closest("[data-suggestion]");
    if (suggestion) {
      send(suggestion.dataset.suggestion);
      input.focus();
      return;
    }
    const action = event.target.closest(".actions [data-action]");
    if (!action) return;
    const message = action.closest("article.message");
    const kind = action.dataset.action;
    if (kind === "copy") copy(message, action);
    else if (kind === "rate") openFeedback(message, action);
    else if (kind === "regenerate") regenerate();
    else if (kind === "edit") startEdit(message);
  });

  // Leaving the page (another conversation, a reload) ends the stream cleanly: the server keeps
  // the partial answer, marked as stopped.
  window.addEventListener("pagehide", () => {
    if (!active) return;
    active.leaving = true;
    active.controller.abort();
  });
  // Back from another page via the back/forward cache: show what the server has now.
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) location.reload();
  });
}
