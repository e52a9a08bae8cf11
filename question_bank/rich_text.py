"""Question texts that carry formatting: the sanitiser and the one way they are shown.

Imported HTML (Moodle, GIFT `[html]`) keeps lists, tables, sub/superscript, emphasis
and links; everything else (scripts, styles, event handlers, images, forms, unknown
tags and attributes) is removed by `nh3` (the Rust `ammonia` sanitiser). A version
stores either plain text or such sanitised HTML (`QuestionVersion.text_format`), and
templates show both through `render`, which sanitises HTML again on the way out, so
nothing stored can bypass the allow-list.
"""
import re
from html.parser import HTMLParser

import nh3
from markupsafe import Markup, escape

from question_bank.models import HTML, PLAIN

TAGS = {"p", "br", "ul", "ol", "li", "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption",
        "sub", "sup", "strong", "b", "em", "i", "u", "a", "blockquote", "pre", "code"}
ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"},
              "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
# Tags that make a text "formatted": without any of them, imported HTML is stored as plain text.
FORMATTING = TAGS - {"p", "br"}
# Tags whose content is layout or markup noise, not text: dropped without a warning.
_SILENT = {"span", "div", "font", "html", "body", "head", "meta"}


def sanitise(html: str) -> str:
    """The allowed part of `html` (links get rel="noopener noreferrer nofollow")."""
    return nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel="noopener noreferrer nofollow", strip_comments=True)


def tidy(html: str) -> str:
    """Sanitised `html` without the layout of its source: whitespace runs with a line
    break become one space, empty paragraphs and space just inside blocks go."""
    html = re.sub(r"\s*\n\s*", " ", sanitise(html))
    html = re.sub(r"<p>\s*</p>", "", html)
    html = re.sub(r"(<(?:p|li|td|th|caption)>)\s+", r"\1", html)
    html = re.sub(r"\s+(</(?:p|li|td|th|caption)>)", r"\1", html)
    return html.strip()


def render(text: str, text_format: str = PLAIN) -> Markup:
    """Safe markup for a stored text: HTML re-sanitised, plain text escaped with its line breaks."""
    if text_format == HTML:
        return Markup(sanitise(text))
    return Markup("<br>").join(escape(line) for line in (text or "").split("\n"))


def plain_to_html(text: str) -> str:
    """Plain text as HTML (escaped, line breaks as <br>)."""
    return str(render(text, PLAIN))


def html_to_plain(html: str) -> str:
    """The text of sanitised HTML (block ends and <br> as line breaks), for formats without markup."""
    from question_bank.transfer.moodle_html import read_html

    return read_html(html, untagged="id").texts["id"]


class _Inventory(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attributes: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        allowed = ATTRIBUTES.get(tag, set())
        self.attributes.update(f"{tag} {name}" for name, _value in attrs
                               if name not in allowed and name != "dir" and not (tag == "span" and name in ("lang", "class")))


def formatting_in(html: str) -> bool:
    """Whether sanitised `html` holds any formatting beyond paragraphs and line breaks."""
    inventory = _Inventory()
    inventory.feed(html)
    return bool(inventory.tags & FORMATTING)


def dropped_markup(html: str) -> list[str]:
    """What the sanitiser removes from `html`, as `<tag>` and `<tag attribute>` names
    (layout wrappers such as <span> and <div> are only listed for their attributes,
    e.g. `<span style>`; their text is kept)."""
    inventory = _Inventory()
    inventory.feed(html)
    tags = sorted(inventory.tags - TAGS - _SILENT)
    attributes = sorted(a for a in inventory.attributes if a.split()[0] in TAGS | _SILENT)
    return [f"<{name}>" for name in tags + attributes]
