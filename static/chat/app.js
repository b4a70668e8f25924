// AgentCarRepair chat page. ES modules, no build step; see turns.js for the streaming chat,
// sidebar.js for the conversation list and tools.js for the vehicle profile and code lookup.
import * as sidebar from "./sidebar.js";
import * as tools from "./tools.js";
import * as turns from "./turns.js";

turns.init();
sidebar.init();
tools.init();

// Escape closes whatever the keyboard is in (drawer, panel); otherwise it stops an answer.
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape" || event.defaultPrevented) return;
  const inside = (id) => document.getElementById(id).contains(event.target);
  const handled =
    (sidebar.drawerIsOpen() && inside("sidebar") && sidebar.closeDrawer()) ||
    ((inside("vehicle-panel") || inside("lookup-panel")) && tools.closePanels()) ||
    turns.stop() ||
    sidebar.closeDrawer() ||
    tools.closePanels();
  if (handled) event.preventDefault();
});
