// Car tools: the vehicle profile (with VIN decoding), trouble-code lookup, export and print.
import { api } from "./api.js";
import { $, announce, button, el, focusFirst } from "./ui.js";
import { conversationId, isBusy, prefill } from "./turns.js";

const panels = {
  vehicle: { panel: $("vehicle-panel"), toggle: $("vehicle-toggle") },
  lookup: { panel: $("lookup-panel"), toggle: $("lookup-toggle") },
};
const vehicleForm = $("vehicle-form");
const vehicleStatus = $("vehicle-status");
const vinResult = $("vin-result");
const lookupResult = $("lookup-result");
const FIELDS = ["year", "make", "model", "engine", "mileage", "vin"];
const LABELS = { year: "Year", make: "Make", model: "Model", engine: "Engine", mileage: "Mileage", vin: "VIN" };
// Fields of a code lookup shown in the headline; anything else the API adds is listed below it.
const CODE_HEADLINE = new Set(["code", "meaning", "generic", "scope", "system", "subsystem"]);

// --- Panels ---------------------------------------------------------------------------------

function openPanel(name) {
  for (const [other, { panel, toggle }] of Object.entries(panels)) {
    const open = other === name;
    panel.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
  }
  focusFirst(panels[name].panel);
}

export function closePanels() {
  let closed = false;
  for (const { panel, toggle } of Object.values(panels)) {
    if (panel.hidden) continue;
    const hadFocus = panel.contains(document.activeElement);
    panel.hidden = true;
    toggle.setAttribute("aria-expanded", "false");
    if (hadFocus) toggle.focus();
    closed = true;
  }
  return closed;
}

function togglePanel(name) {
  if (panels[name].panel.hidden) openPanel(name);
  else closePanels();
}

// --- Vehicle profile ------------------------------------------------------------------------

function field(name) {
  return vehicleForm.elements.namedItem(name);
}

function readVehicle() {
  const vehicle = {};
  for (const name of FIELDS) {
    const value = field(name).value.trim();
    if (name === "year" || name === "mileage") vehicle[name] = value ? Number(value) : null;
    else vehicle[name] = name === "vin" ? value.toUpperCase().replace(/[\s-]/g, "") : value;
  }
  return vehicle;
}

function showVehicle(vehicle) {
  const summary = ["year", "make", "model"].map((key) => vehicle[key]).filter(Boolean).join(" ");
  $("vehicle-summary").textContent = summary || "Vehicle";
  const rows = FIELDS.filter((key) => vehicle[key] !== undefined && vehicle[key] !== "").map(
    (key) => {
      const row = el("div");
      row.append(el("dt", "", LABELS[key]), el("dd", "", vehicle[key]));
      return row;
    },
  );
  $("print-vehicle").replaceChildren(...rows);
  for (const name of FIELDS) field(name).value = vehicle[name] ?? "";
}

// A vehicle from an earlier conversation fills the form; saving makes it this conversation's.
function useRecentVehicle(event) {
  const chip = event.target.closest("[data-vehicle]");
  if (!chip) return;
  const vehicle = JSON.parse(chip.dataset.vehicle);
  for (const name of FIELDS) field(name).value = vehicle[name] ?? "";
  vinResult.hidden = true;
  setStatus(`${chip.textContent} filled in: add today's mileage, then save to use it here.`);
  field("mileage").focus();
}

function setStatus(text, bad = false) {
  vehicleStatus.textContent = text;
  vehicleStatus.classList.toggle("bad", bad);
}

async function saveVehicle(event) {
  event.preventDefault();
  const vehicle = readVehicle();
  const id = conversationId();
  if (!id && isBusy()) {
    setStatus("Wait for the answer to finish, then save.", true);
    return;
  }
  setStatus("Saving…");
  try {
    if (!id) {
      // No conversation yet: start one that carries the vehicle, and go there.
      const created = await api.newConversation({ vehicle });
      location.assign(`/c/${created.conversation_id || created.id}`);
      return;
    }
    const conversation = await api.updateConversation(id, { vehicle });
    showVehicle(conversation.vehicle);
    setStatus("Saved.");
  } catch (error) {
    setStatus(error.message, true);
  }
}

function describeYears(years) {
  if (!years?.length) return "";
  return years.length === 1 ? String(years[0]) : years.join(" or ");
}

async function decodeVin() {
  const vin = readVehicle().vin;
  vinResult.hidden = false;
  if (!vin) {
    vinResult.replaceChildren(el("p", "bad", "Type the 17-character VIN first."));
    field("vin").focus();
    return;
  }
  vinResult.replaceChildren(el("p", "", "Decoding…"));
  let info;
  try {
    info = await api.vin(vin);
  } catch (error) {
    vinResult.replaceChildren(el("p", "bad", error.message));
    return;
  }
  const facts = el("dl", "facts");
  const add = (label, value) => {
    if (value === undefined || value === null || value === "") return;
    const row = el("div");
    row.append(el("dt", "", label), el("dd", "", value));
    facts.append(row);
  };
  add("Manufacturer", info.manufacturer);
  add("Country", [info.country, info.region].filter(Boolean).join(", "));
  add("Model year", describeYears(info.model_years));
  for (const [key, value] of Object.entries(info.details || {})) add(humanize(key), display(value));
  if (info.check_digit_valid === false) add("Check digit", "does not match: check for a typo");
  const parts = [el("p", "result-title", `VIN ${info.vin || vin}`), facts];
  for (const warning of info.warnings || []) parts.push(el("p", "bad", warning));

  const fills = {};
  if (!field("make").value.trim() && info.manufacturer) fills.make = info.manufacturer;
  if (!field("year").value.trim() && info.model_years?.length === 1) fills.year = info.model_years[0];
  if (!field("model").value.trim() && typeof info.details?.model === "string") {
    fills.model = info.details.model;
  }
  const names = Object.keys(fills);
  if (names.length) {
    const label = `Fill in ${names.map((name) => LABELS[name].toLowerCase()).join(" and ")}`;
    const fill = button(label);
    fill.addEventListener("click", () => {
      for (const name of names) field(name).value = fills[name];
      fill.remove();
      setStatus("Filled in. Save the vehicle to keep it.");
      vehicleForm.querySelector('[type="submit"]').focus();
    });
    parts.push(fill);
  }
  vinResult.replaceChildren(...parts);
  announce(`VIN decoded: ${[info.manufacturer, describeYears(info.model_years)].filter(Boolean).join(", ")}`);
}

// --- Trouble-code lookup --------------------------------------------------------------------

function humanize(key) {
  const words = key.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

// Any value from the API as plain text or a small list, never as HTML.
function display(value) {
  if (value === null || value === undefined) return "";
  if (typeof value === "boolean") return value ? "Yes" : "No";
  if (Array.isArray(value)) {
    if (value.every((item) => typeof item !== "object" || item === null)) {
      const listNode = el("ul");
      for (const item of value) listNode.append(el("li", "", item));
      return listNode;
    }
    const listNode = el("ul");
    for (const item of value) {
      const entry = el("li");
      entry.append(display(item));
      listNode.append(entry);
    }
    return listNode;
  }
  if (typeof value === "object") {
    const facts = el("dl", "facts nested");
    for (const [key, inner] of Object.entries(value)) {
      const row = el("div");
      const dd = el("dd");
      dd.append(display(inner));
      row.append(el("dt", "", humanize(key)), dd);
      facts.append(row);
    }
    return facts;
  }
  return String(value);
}

// Extra fields, one level of nesting flattened ({"details": {"causes": [...]}} -> "Causes").
function extraRows(info) {
  const rows = [];
  for (const [key, value] of Object.entries(info)) {
    if (CODE_HEADLINE.has(key)) continue;
    if (value && typeof value === "object" && !Array.isArray(value)) {
      for (const [inner, innerValue] of Object.entries(value)) rows.push([inner, innerValue]);
    } else {
      rows.push([key, value]);
    }
  }
  return rows;
}

const money = new Intl.NumberFormat(undefined, {
  style: "currency",
  currency: "USD",
  maximumFractionDigits: 0,
});

function showCode(info) {
  const card = el("div", "code-card");
  const title = el("p", "result-title");
  title.append(el("strong", "", info.code), ` ${info.meaning || "No description in the built-in list"}`);
  const tag = el("span", `tag ${info.generic ? "generic" : "maker"}`);
  tag.textContent = info.generic ? "Generic code" : "Manufacturer-specific";
  const scope = el("p", "scope");
  scope.append(tag, ` ${info.scope || ""}`);
  const facts = el("dl", "facts");
  const rows = [["system", info.system], ["subsystem", info.subsystem], ...extraRows(info)];
  for (const [key, value] of rows) {
    if (value === null || value === undefined || value === "" || value?.length === 0) continue;
    const isRange = key === "cost" && Array.isArray(value) && value.length === 2;
    const row = el("div", Array.isArray(value) && !isRange ? "wide" : "");
    const dd = el("dd");
    dd.append(isRange ? value.map((n) => money.format(n)).join("–") : display(value));
    row.append(el("dt", "", humanize(key)), dd);
    facts.append(row);
  }
  const ask = button(`Ask about ${info.code}`, "button primary");
  ask.addEventListener("click", () => {
    closePanels();
    const meaning = info.meaning ? ` (${info.meaning})` : "";
    prefill(`My car shows ${info.code}${meaning}. What should I check first?`);
  });
  card.append(title, scope, facts, ask);
  lookupResult.replaceChildren(card);
}

async function lookUp(event) {
  event.preventDefault();
  const code = $("lookup-code").value.trim().toUpperCase();
  if (!code) return;
  lookupResult.replaceChildren(el("p", "", "Looking up…"));
  try {
    showCode(await api.dtc(code));
  } catch (error) {
    lookupResult.replaceChildren(el("p", "bad", error.message));
  }
}

// --- Export and print -----------------------------------------------------------------------

function enableExport(id) {
  const link = $("export-link");
  link.href = api.exportUrl(id);
  link.hidden = false;
  $("print-button").hidden = false;
}

export function init() {
  panels.vehicle.toggle.addEventListener("click", () => togglePanel("vehicle"));
  panels.lookup.toggle.addEventListener("click", () => togglePanel("lookup"));
  for (const close of document.querySelectorAll("[data-close-panel]")) {
    close.addEventListener("click", closePanels);
  }
  vehicleForm.addEventListener("submit", saveVehicle);
  $("vin-decode").addEventListener("click", decodeVin);
  $("recent-vehicles")?.addEventListener("click", useRecentVehicle);
  $("lookup-form").addEventListener("submit", lookUp);
  $("print-button").addEventListener("click", () => window.print());
  document.addEventListener("chat:conversation", (event) => enableExport(event.detail.id));
}
