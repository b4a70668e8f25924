"""Assistant Markdown to safe HTML, done once when a message is saved.

Raw HTML in the Markdown is not interpreted (it shows as text), and the result then goes through
nh3 with a strict allow-list: no scripts, no event handlers, no images, only http(s)/mailto
links, and every link gets ``rel="noopener noreferrer nofollow"``.
"""

from __future__ import annotations

import threading

import markdown
import nh3

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "del", "code", "pre", "blockquote",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td", "a",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}

_local = threading.local()


def _markdown() -> markdown.Markdown:
    # A Markdown instance is not thread-safe but is costly to build, so each thread keeps one.
    md = getattr(_local, "md", None)
    if md is None:
        md = markdown.Markdown(extensions=["fenced_code", "tables", "sane_lists"])
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        _local.md = md
    return md


def render_markdown(text: str) -> str:
    """Render assistant Markdown to sanitised HTML."""
    md = _markdown()
    try:
        html = md.convert(text)
    finally:
        md.reset()
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
