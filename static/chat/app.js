// AgentCarRepair chat page: sends a question to /api/chat and shows the answer as it streams.
(() => {
  "use strict";

  const chat = document.getElementById("chat");
  const list = document.getElementById("messages");
  const form = document.getElementById("composer");
  const input = document.getElementById("message");
  const sendButton = document.getElementById("send");
  const stopButton = document.getElementById("stop");
  const errorBox = document.getElementById("error");
  const csrfToken = document.querySelector('meta[name="csrf-token"]').content;

  let controller = null;

  const el = (tag, className, text) => {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  };

  function showError(message, retry) {
    errorBox.replaceChildren(document.createTextNode(message + " "));
    if (retry) {
      const button = el("button", "retry", "Try again");
      button.type = "button";
      button.addEventListener("click", retry);
      errorBox.append(button);
    }
    errorBox.hidden = false;
  }

  function addMessage(role, html, text) {
    document.getElementById("welcome")?.remove();
    const article = el("article", `message ${role}`);
    const body = el("div", "body");
    if (html !== undefined) body.innerHTML = html; // server-sanitised HTML (nh3)
    else body.textContent = text;
    article.append(body);
    list.append(article);
    article.scrollIntoView({ block: "end" });
    return article;
  }

  function addBanner(article, safety) {
    if (safety !== "stop" && safety !== "caution") return;
    const text = safety === "stop" ? "Stop driving: read the safety advice below." : "Caution: safety advice below.";
    const banner = el("p", `banner ${safety}`, text);
    if (safety === "stop") banner.setAttribute("role", "alert");
    article.prepend(banner);
  }

  function rememberConversation(id, title) {
    if (chat.dataset.conversationId === id) return;
    chat.dataset.conversationId = id;
    history.replaceState(null, "", `/c/${id}`);
    const sidebar = document.getElementById("conversation-list");
    sidebar.querySelector(".empty")?.remove();
    const link = el("a");
    link.href = `/c/${id}`;
    link.setAttribute("aria-current", "page");
    link.append(el("span", "title", title || "New conversation"));
    const item = el("li");
    item.append(link);
    sidebar.prepend(item);
  }

  // Server-sent events arrive as "event: NAME\ndata: JSON\n\n" blocks, possibly split across reads.
  async function* readEvents(response) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let name = "message";
        let data = "";
        for (const line of block.split("\n")) {
          if (line.startsWith("event: ")) name = line.slice(7);
          else if (line.startsWith("data: ")) data += line.slice(6);
        }
        yield { name, data: data ? JSON.parse(data) : {} };
      }
    }
  }

  function setBusy(busy) {
    sendButton.hidden = busy;
    stopButton.hidden = !busy;
    input.setAttribute("aria-busy", String(busy));
  }

  async function post(url, body) {
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken },
      body: JSON.stringify(body),
      signal: controller.signal,
      credentials: "same-origin",
    });
  }

  async function run(request) {
    errorBox.hidden = true;
    controller = new AbortController();
    setBusy(true);
    let answer = null;
    try {
      const response = await request();
      if (!response.ok) {
        const body = await response.json().catch(() => ({}));
        showError(body.detail || `The request failed (${response.status}).`);
        return;
      }
      answer = addMessage("assistant", undefined, "");
      answer.classList.add("streaming");
      const body = answer.querySelector(".body");
      for await (const event of readEvents(response)) {
        if (event.name === "meta") rememberConversation(event.data.conversation_id, event.data.title);
        else if (event.name === "delta") body.textContent += event.data.text;
        else if (event.name === "done") {
          body.innerHTML = event.data.response;
          addBanner(answer, event.data.safety);
        } else if (event.name === "error") {
          answer.classList.add("status-error");
          showError(event.data.error.message, regenerate);
        }
      }
    } catch (err) {
      if (err.name === "AbortError") {
        if (answer) answer.append(el("p", "meta", "Stopped before it finished."));
      } else {
        showError("Connection lost. Your message is saved.", regenerate);
      }
    } finally {
      answer?.classList.remove("streaming");
      controller = null;
      setBusy(false);
      input.focus();
    }
  }

  function send(text) {
    addMessage("user", undefined, text);
    const conversationId = chat.dataset.conversationId || null;
    return run(() => post("/api/chat", { message: text, conversation_id: conversationId, stream: true }));
  }

  function regenerate() {
    const id = chat.dataset.conversationId;
    if (!id) return;
    list.querySelector(".message.assistant:last-child")?.remove();
    return run(() => post(`/api/conversations/${id}/regenerate`, { stream: true }));
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text || controller) return;
    input.value = "";
    send(text);
  });

  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    } else if (event.key === "Escape" && controller) {
      controller.abort();
    }
  });

  stopButton.addEventListener("click", () => controller?.abort());

  document.querySelectorAll("[data-suggestion]").forEach((button) => {
    button.addEventListener("click", () => {
      input.value = button.dataset.suggestion;
      form.requestSubmit();
    });
  });
})();
