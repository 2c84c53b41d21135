"""User-written text: a safe Markdown subset rendered to sanitized HTML."""
from __future__ import annotations

import html
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

# CommonMark without raw HTML, images or tables: headings, emphasis, lists, quotes, code and links.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True}).disable(["image"])

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "code", "pre", "a", "h3", "h4", "hr"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


# Rendering is a pure function of the text, so it is kept per process for texts up to this many
# characters (every comment; most proposal bodies): a thread of 2,000 comments is rendered once, not on
# every view. The text itself is the key, so an edited text is a new entry and nothing can be stale.
CACHED_TEXT_LENGTH = 3000
_CACHED_TEXTS = 4096  # at most ~4096 x (3 kB text + its HTML) per worker process


def render_markdown(text: str | None) -> Markup:
    text = text or ""
    return _render_cached(text) if len(text) <= CACHED_TEXT_LENGTH else _render(text)


def _render(text: str) -> Markup:
    rendered = _markdown.render(text)
    # Headings h1/h2 would compete with the page's own; demote them before sanitizing.
    for level in ("1", "2"):
        rendered = rendered.replace(f"<h{level}>", "<h3>").replace(f"</h{level}>", "</h3>")
    clean = nh3.clean(rendered, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                      url_schemes={"http", "https", "mailto"},
                      link_rel="nofollow noopener ugc")
    return Markup(clean)


_render_cached = lru_cache(maxsize=_CACHED_TEXTS)(_render)


def plain_text(text: str) -> str:
    """The text without Markdown or HTML, for search snippets and notifications."""
    return html.unescape(nh3.clean(_markdown.render(text or ""), tags=set())).strip()
