// A live preview of an answer's Markdown while it streams: headings, lists, quotes, bold and
// code, so "### Brakes" and "**battery**" don't flash up as raw symbols. Text only ever goes in
// through DOM nodes (textContent), never as HTML; when the answer completes, the server's
// sanitised HTML replaces the preview.

const HEADING = /^(#{1,6})\s+(.*)$/;
const BULLET = /^\s*[-*+]\s+(.*)$/;
const NUMBERED = /^\s*\d+[.)]\s+(.*)$/;
const QUOTE = /^>\s?(.*)$/;
const RULE = /^\s*(?:-{3,}|\*{3,}|_{3,})\s*$/;

// Inline **bold** and `code`; an unclosed marker at the streaming edge applies to the rest.
function inline(parent, text) {
  const pattern = /(\*\*|`)/g;
  let open = null;
  let start = 0;
  let target = parent;
  for (const match of text.matchAll(pattern)) {
    const marker = match[0];
    if (open && marker !== open) continue;
    target.append(text.slice(start, match.index));
    start = match.index + marker.length;
    if (open) {
      open = null;
      target = parent;
    } else {
      open = marker;
      target = document.createElement(marker === "`" ? "code" : "strong");
      parent.append(target);
    }
  }
  target.append(text.slice(start));
}

export function renderPreview(container, text) {
  const blocks = [];
  let paragraph = null;
  let list = null;

  const closeBlocks = () => {
    paragraph = null;
    list = null;
  };
  const item = (tag, content) => {
    if (!list || list.tagName !== tag.toUpperCase()) {
      list = document.createElement(tag);
      blocks.push(list);
    }
    const li = document.createElement("li");
    inline(li, content);
    list.append(li);
    paragraph = null;
  };

  for (const line of text.split("\n")) {
    let match;
    if (!line.trim()) {
      closeBlocks();
    } else if (RULE.test(line)) {
      closeBlocks();
      blocks.push(document.createElement("hr"));
    } else if ((match = HEADING.exec(line))) {
      closeBlocks();
      const heading = document.createElement(`h${Math.min(match[1].length, 6)}`);
      inline(heading, match[2]);
      blocks.push(heading);
    } else if ((match = BULLET.exec(line))) {
      item("ul", match[1]);
    } else if ((match = NUMBERED.exec(line))) {
      item("ol", match[1]);
    } else if ((match = QUOTE.exec(line))) {
      closeBlocks();
      const quote = document.createElement("blockquote");
      inline(quote, match[1]);
      blocks.push(quote);
    } else if (list && /^\s+/.test(line)) {
      // A continuation line of the last list item.
      inline(list.lastElementChild, ` ${line.trim()}`);
    } else {
      list = null;
      if (!paragraph) {
        paragraph = document.createElement("p");
        blocks.push(paragraph);
      } else {
        paragraph.append(" ");
      }
      inline(paragraph, line.trim());
    }
  }
  container.replaceChildren(...blocks);
}
