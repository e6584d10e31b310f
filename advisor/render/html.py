"""A self-contained, printable HTML page from a Markdown report (markdown-it-py).

The Markdown already went through advisor.shared.safe_text; here markdown-it runs with raw HTML off, and
links, images and autolinks disabled, so nothing from a user's file becomes markup, and the page loads
nothing: no script, no stylesheet, no font, no image. The styles are inline. The Mermaid picture stays as
its source in a <pre class="mermaid"> block; the page says that a viewer with Mermaid draws it."""

from __future__ import annotations

import html

from markdown_it import MarkdownIt

from advisor.shared import safe_text

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.45;
       color: #1d1d1f; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #c8c8cc; padding: 0.3rem 0.5rem; vertical-align: top; text-align: left; }
code { background: #f2f2f5; padding: 0 0.2rem; border-radius: 3px; }
pre { background: #f6f6f8; padding: 0.8rem; overflow-x: auto; white-space: pre-wrap; }
.note { color: #555; font-size: 0.9rem; }
@media print { body { max-width: none; margin: 0; } pre, table { page-break-inside: avoid; } }
"""
_MERMAID_OPEN = '<pre><code class="language-mermaid">'
_MERMAID_NOTE = (
    '<p class="note">The architecture picture below is Mermaid source: a viewer with Mermaid '
    "(GitHub, many Markdown editors) draws it; this page loads no script.</p>\n"
)


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")
    md.disable(["link", "image", "autolink", "html_inline", "html_block"])
    return md


def render_html(markdown: str, title: str) -> str:
    """The page for a Markdown report already made safe by advisor.shared.safe_text; `title` is raw text."""
    body = _parser().render(markdown)
    while _MERMAID_OPEN in body:
        start = body.index(_MERMAID_OPEN)
        end = body.index("</code></pre>", start)
        source = body[start + len(_MERMAID_OPEN) : end]
        body = (
            body[:start] + _MERMAID_NOTE + f'<pre class="mermaid">{source}</pre>' + body[end + len("</code></pre>") :]
        )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(safe_text.line(title), quote=True)}</title>\n<style>{_STYLE}</style>\n</head>\n"
        f"<body>\n{body}</body>\n</html>\n"
    )
