"""User-written text: a safe Markdown subset rendered to sanitized HTML."""
from __future__ import annotations

import html

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

# CommonMark without raw HTML, images or tables: headings, emphasis, lists, quotes, code and links.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True}).disable(["image"])

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "code", "pre", "a", "h3", "h4", "hr"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


def render_markdown(text: str | None) -> Markup:
    rendered = _markdown.render(text or "")
    # Headings h1/h2 would compete with the page's own; demote them before sanitizing.
    for level in ("1", "2"):
        rendered = rendered.replace(f"<h{level}>", "<h3>").replace(f"</h{level}>", "</h3>")
    clean = nh3.clean(rendered, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                      url_schemes={"http", "https", "mailto"},
                      link_rel="nofollow noopener ugc")
    return Markup(clean)


def plain_text(text: str) -> str:
    """The text without Markdown or HTML, for search snippets and notifications."""
    return html.unescape(nh3.clean(_markdown.render(text or ""), tags=set())).strip()
