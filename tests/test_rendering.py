from html.parser import HTMLParser

import pytest

from chat.rendering import render_markdown

ATTACKS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](java&#115;cript:alert(1))",
    "[click](  javascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    "![img](https://evil.example/track.png)",
    "![img](javascript:alert(1))",
    '<iframe src="https://evil.example"></iframe>',
    "<style>body{display:none}</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<details open ontoggle=alert(1)>",
    '<form action="https://evil.example"><input name=q></form>',
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<<script>script>alert(1)<</script>/script>",
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    '[x](https://ok.example "title" onclick="alert(1)")',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<object data="javascript:alert(1)"></object>',
    '<base href="https://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
]
ALLOWED = {"p", "br", "hr", "strong", "em", "b", "i", "del", "code", "pre", "blockquote", "ul",
           "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th",
           "td", "a"}  # fmt: skip


class ElementCollector(HTMLParser):
    """Every live element and attribute in the output, as a browser would parse it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


@pytest.mark.parametrize("payload", ATTACKS)
def test_attack_payloads_render_inert(payload):
    collector = ElementCollector()
    collector.feed(render_markdown(payload))
    for tag, attrs in collector.elements:
        assert tag in ALLOWED, (payload, tag)
        assert not any(name.startswith("on") for name in attrs), (payload, attrs)
        assert "style" not in attrs and "src" not in attrs
        href = attrs.get("href")
        if href is not None:
            assert href.split(":", 1)[0].strip().lower() in {"http", "https", "mailto"}, href
            assert attrs["rel"] == "noopener noreferrer nofollow"


def test_markdown_structure_is_kept():
    html = render_markdown(
        "## Checks\n\n1. **Battery** first\n2. Then `P0420`\n\n"
        "| Part | Cost |\n|---|---|\n| O2 | $50 |"
    )
    assert "<h2>Checks</h2>" in html
    assert "<ol>" in html and "<strong>Battery</strong>" in html
    assert "<code>P0420</code>" in html
    assert "<table>" in html and "<td>$50</td>" in html


def test_links_get_safe_rel():
    html = render_markdown("[service info](https://example.com/manual)")
    assert 'href="https://example.com/manual"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_raw_html_is_shown_as_text():
    assert "&lt;b&gt;bold&lt;/b&gt;" in render_markdown("<b>bold</b>")
