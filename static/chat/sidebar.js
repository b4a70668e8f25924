// The conversation list: search, show more, rename, delete, and the drawer on small screens.
import { api } from "./api.js";
import { $, announce, el, fromTemplate, setTime, showError } from "./ui.js";
import { conversationId, setTitle } from "./turns.js";

const PAGE_SIZE = 50;
const sidebar = $("sidebar");
const listNode = $("conversation-list");
const listNote = $("list-note");
const moreButton = $("more-conversations");
const searchInput = $("search");
const menuButton = $("menu-button");
const backdrop = $("backdrop");
const drawerMode = matchMedia("(max-width: 800px)");

let query = "";
let loaded = 0;
let searchTimer = 0;
let latest = 0; // only the newest search may fill the list

function titleOf(item) {
  return item.querySelector(".title").textContent;
}

function setItemTitle(item, title) {
  const shown = title || "New conversation";
  item.querySelector(".title").textContent = shown;
  item.querySelector('[data-action="rename"]').setAttribute("aria-label", `Rename ${shown}`);
  item.querySelector('[data-action="delete"]').setAttribute("aria-label", `Delete ${shown}`);
}

function makeItem(conversation) {
  const item = fromTemplate("tpl-conversation");
  item.dataset.id = conversation.id;
  const link = item.querySelector("a.open");
  link.href = `/c/${conversation.id}`;
  if (conversation.id === conversationId()) link.setAttribute("aria-current", "page");
  setItemTitle(item, conversation.title);
  setTime(item.querySelector("time"), conversation.updated_at || new Date().toISOString());
  return item;
}

function updateNote() {
  const count = listNode.children.length;
  if (count) listNote.textContent = query ? `Showing conversations matching “${query}”.` : "";
  else listNote.textContent = query ? `No conversations match “${query}”.` : "No conversations yet.";
}

async function load({ append = false } = {}) {
  const ticket = ++latest;
  moreButton.disabled = true;
  try {
    const offset = append ? loaded : 0;
    const page = await api.conversations({ q: query, limit: PAGE_SIZE, offset });
    if (ticket !== latest) return;
    if (!append) listNode.replaceChildren();
    for (const conversation of page.results) listNode.append(makeItem(conversation));
    loaded = offset + page.results.length;
    moreButton.hidden = !page.next;
    updateNote();
  } catch (error) {
    if (ticket === latest) listNote.textContent = error.message;
  } finally {
    moreButton.disabled = false;
  }
}

// --- Rename and delete ----------------------------------------------------------------------

function startRename(item) {
  const link = item.querySelector("a.open");
  const actions = item.querySelector(".item-actions");
  const before = titleOf(item);
  const form = el("form", "rename-form");
  const field = el("input");
  field.value = before;
  field.maxLength = 120;
  field.setAttribute("aria-label", "Conversation title");
  form.append(field);
  link.hidden = true;
  actions.hidden = true;
  item.prepend(form);
  field.focus();
  field.select();
  let finished = false;
  const finish = async (save) => {
    if (finished) return;
    finished = true;
    const title = field.value.trim();
    form.remove();
    link.hidden = false;
    actions.hidden = false;
    item.querySelector('[data-action="rename"]').focus();
    if (!save || title === before) return;
    try {
      const conversation = await api.updateConversation(item.dataset.id, { title });
      setItemTitle(item, conversation.title);
      if (item.dataset.id === conversationId()) setTitle(conversation.title);
      announce(`Renamed to ${conversation.title || "New conversation"}.`);
    } catch (error) {
      showError(error.message);
    }
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    finish(true);
  });
  field.addEventListener("blur", () => finish(true));
  field.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.stopPropagation();
      finish(false);
    }
  });
}

function confirmDelete(item) {
  if (item.querySelector(".confirm")) return;
  const link = item.querySelector("a.open");
  const actions = item.querySelector(".item-actions");
  const box = fromTemplate("tpl-delete-confirm");
  box.querySelector(".confirm-text").textContent = `Delete “${titleOf(item)}”?`;
  link.hidden = true;
  actions.hidden = true;
  item.append(box);
  const cancel = () => {
    box.remove();
    link.hidden = false;
    actions.hidden = false;
    item.querySelector('[data-action="delete"]').focus();
  };
  box.querySelector('[data-action="cancel-delete"]').addEventListener("click", cancel);
  box.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.stopPropagation();
      cancel();
    }
  });
  const confirm = box.querySelector('[data-action="confirm-delete"]');
  confirm.addEventListener("click", async () => {
    confirm.disabled = true;
    try {
      await api.deleteConversation(item.dataset.id);
    } catch (error) {
      confirm.disabled = false;
      showError(error.message);
      return;
    }
    if (item.dataset.id === conversationId()) {
      location.assign("/");
      return;
    }
    const next = item.nextElementSibling || item.previousElementSibling;
    item.remove();
    loaded = Math.max(0, loaded - 1);
    updateNote();
    announce("Conversation deleted.");
    (next?.querySelector("a.open") || searchInput).focus();
  });
  box.querySelector('[data-action="cancel-delete"]').focus();
}

// --- Drawer (phones) ------------------------------------------------------------------------

export const drawerIsOpen = () => sidebar.classList.contains("open");

function openDrawer() {
  sidebar.classList.add("open");
  backdrop.hidden = false;
  menuButton.setAttribute("aria-expanded", "true");
  $("chat").inert = true; // keeps keyboard and screen reader inside the drawer while it is open
  $("drawer-close").focus();
}

export function closeDrawer({ restoreFocus = true } = {}) {
  if (!drawerIsOpen()) return false;
  sidebar.classList.remove("open");
  backdrop.hidden = true;
  menuButton.setAttribute("aria-expanded", "false");
  $("chat").inert = false;
  if (restoreFocus) menuButton.focus();
  return true;
}

// --- Wiring ---------------------------------------------------------------------------------

export function init() {
  loaded = listNode.children.length;
  for (const time of listNode.querySelectorAll("time")) {
    if (time.dateTime) setTime(time, time.dateTime);
  }

  listNode.addEventListener("click", (event) => {
    const action = event.target.closest(".item-actions [data-action]");
    if (!action) return;
    const item = action.closest("li.conversation");
    if (action.dataset.action === "rename") startRename(item);
    else if (action.dataset.action === "delete") confirmDelete(item);
  });

  searchInput.addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => {
      query = searchInput.value.trim();
      load();
    }, 250);
  });
  $("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(searchTimer);
    query = searchInput.value.trim();
    load();
  });
  moreButton.addEventListener("click", () => load({ append: true }));

  menuButton.addEventListener("click", () => (drawerIsOpen() ? closeDrawer() : openDrawer()));
  $("drawer-close").addEventListener("click", () => closeDrawer());
  backdrop.addEventListener("click", () => closeDrawer());
  drawerMode.addEventListener("change", () => closeDrawer({ restoreFocus: false }));

  // A conversation that started on this page joins the top of the list.
  document.addEventListener("chat:conversation", (event) => {
    const { id, title } = event.detail;
    for (const link of listNode.querySelectorAll("a[aria-current]")) {
      link.removeAttribute("aria-current");
    }
    let item = listNode.querySelector(`li[data-id="${CSS.escape(id)}"]`);
    if (!item) {
      if (query) return; // the search results stay as they are
      item = makeItem({ id, title });
      loaded += 1;
    } else {
      if (title) setItemTitle(item, title);
      setTime(item.querySelector("time"), new Date().toISOString());
    }
    item.querySelector("a.open").setAttribute("aria-current", "page");
    if (!query) listNode.prepend(item);
    updateNote();
  });
}
