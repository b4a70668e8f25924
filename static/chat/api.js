// Talking to the JSON API: CSRF header on writes, one error type, server-sent events.

const csrfToken = document.querySelector('meta[name="csrf-token"]')?.content || "";

// An HTTP error from the API: {"error": {"code", "message", "retry_after"?, "conversation_id"?}}.
export class ApiError extends Error {
  constructor(status, error = {}) {
    super(error.message || defaultMessage(status));
    this.name = "ApiError";
    this.status = status;
    this.code = error.code || "http_" + status;
    this.retryAfter = Number.isFinite(error.retry_after) ? error.retry_after : null;
    this.conversationId = error.conversation_id || null;
    this.fields = error.fields || null;
  }
}

function defaultMessage(status) {
  if (status === 429) return "Too many requests right now. Wait a moment and try again.";
  if (status >= 500) return "The server could not answer just now. Try again shortly.";
  if (status === 404) return "Not found: it may have been deleted.";
  return `The request failed (${status}).`;
}

// fetch() with JSON in and the API's error envelope turned into an ApiError.
export async function request(method, url, body, { signal } = {}) {
  const headers = { Accept: "application/json, text/event-stream" };
  if (method !== "GET") headers["X-CSRFToken"] = csrfToken;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(url, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
    credentials: "same-origin",
  });
  if (!response.ok) {
    const payload = await response.json().catch(() => ({}));
    const error = new ApiError(response.status, payload.error || { message: payload.detail });
    if (error.retryAfter === null) {
      const header = Number.parseInt(response.headers.get("Retry-After") || "", 10);
      if (Number.isFinite(header)) error.retryAfter = header;
    }
    throw error;
  }
  return response;
}

export async function getJSON(url, options) {
  return (await request("GET", url, undefined, options)).json();
}

export async function sendJSON(method, url, body, options) {
  const response = await request(method, url, body, options);
  return response.status === 204 ? null : response.json();
}

// Server-sent events arrive as "event: NAME\ndata: JSON\n\n" blocks, possibly split across reads.
export async function* readEvents(response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true }).replace(/\r\n/g, "\n");
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let name = "message";
        let data = "";
        for (const line of block.split("\n")) {
          if (line.startsWith("event:")) name = line.slice(6).trim();
          else if (line.startsWith("data:")) data += line.slice(5).trimStart();
        }
        if (data) yield { name, data: JSON.parse(data) };
      }
    }
  } finally {
    reader.releaseLock();
  }
}

export const api = {
  chat: (body, signal) => request("POST", "/api/chat", { ...body, stream: true }, { signal }),
  regenerate: (id, message, signal) =>
    request(
      "POST",
      `/api/conversations/${encodeURIComponent(id)}/regenerate`,
      message === undefined ? { stream: true } : { message, stream: true },
      { signal },
    ),
  conversations: ({ q = "", limit = 50, offset = 0 } = {}) =>
    getJSON(`/api/conversations?${new URLSearchParams({ q, limit, offset })}`),
  messages: (id, { limit = 50, offset = 0 } = {}) =>
    getJSON(
      `/api/conversations/${encodeURIComponent(id)}/messages?${new URLSearchParams({ limit, offset })}`,
    ),
  message: (id) => getJSON(`/api/messages/${encodeURIComponent(id)}`),
  updateConversation: (id, body) =>
    sendJSON("PATCH", `/api/conversations/${encodeURIComponent(id)}`, body),
  deleteConversation: (id) => sendJSON("DELETE", `/api/conversations/${encodeURIComponent(id)}`),
  newConversation: (body) => sendJSON("POST", "/api/new-conversation", body),
  feedback: (messageId, rating, comment) =>
    sendJSON("POST", `/api/messages/${encodeURIComponent(messageId)}/feedback`, {
      rating,
      comment,
    }),
  vin: (vin) => getJSON(`/api/vin/${encodeURIComponent(vin)}`),
  dtc: (code) => getJSON(`/api/dtc/${encodeURIComponent(code)}`),
  exportUrl: (id) => `/api/conversations/${encodeURIComponent(id)}/export`,
};
