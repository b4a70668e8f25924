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
    "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
    "<object data=\"javascript:alert(1)\"></object>",
    "<base href=\"https://evil.example/\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example\">",
]
FORBIDDEN = ["<script", "<img", "<svg", "<iframe", "<style", "<object", "<base", "<meta",
             "<form", "<input", "<details", "<math", "javascript:", "vbscript:", "data:",
             "onerror", "onload", "onclick", "ontoggle", "style="]  # fmt: skip


@pytest.mark.parametrize("payload", ATTACKS)
def test_attack_payloads_render_inert(payload):
    html = render_markdown(payload).lower()
    for needle in FORBIDDEN:
        # Escaped text (&lt;script&gt;) is fine: only live markup or live URLs are forbidden.
        assert needle not in html.replace("&lt;", "\u2039"), (payload, html)


def test_markdown_structure_is_kept():
    html = render_markdown(
        "## Checks\n\n1. **Battery** first\n2. Then `P0420`\n\n| Part | Cost |\n|---|---|\n| O2 | $50 |"
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
