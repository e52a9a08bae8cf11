"""Plain question text to and from the HTML that Moodle stores.

Export escapes the text and turns line breaks into `<br>`; bilingual text is
written in the syntax of Moodle's multilang filter:
`<span lang="id" class="multilang">…</span><span lang="en" class="multilang">…</span>`.
Import reads any HTML back to plain text: `<br>` and block ends become line
breaks, other tags are dropped, entities are decoded, and whitespace that only
lays out the source (runs containing a newline) collapses to one space. Text
outside multilang spans belongs to every language, as in Moodle.
"""
import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

LANGUAGES = ("id", "en")
# Characters XML 1.0 cannot carry at all.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_LAYOUT = "\x00"  # marks layout whitespace while parsing (XML text never holds NUL)
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_BLOCK = {"p", "div", "li", "ul", "ol", "table", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre"}
_LANG_ALIASES = {"in": "id"}  # Moodle's old code for Indonesian


def to_html(text: str) -> str:
    """Escaped HTML of plain text; line breaks (any convention) become `<br>`."""
    text = _NOT_XML.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return html.escape(text, quote=False).replace("\n", "<br>")


def multilang(texts: dict[str, str], html_text: bool = False) -> str:
    """Both languages in multilang spans; `html_text`: the texts are (sanitised) HTML already."""
    return "".join(f'<span lang="{lang}" class="multilang">{texts[lang] if html_text else to_html(texts[lang])}</span>'
                   for lang in LANGUAGES)


@dataclass
class HtmlText:
    """What an HTML field says: its text per language, whether it used multilang
    spans at all, and the `src` of every image in it."""

    texts: dict[str, str]
    multilang: bool
    images: list[str] = field(default_factory=list)
    # The markup of each language (multilang spans removed), before sanitising.
    html: dict[str, str] = field(default_factory=dict)
    # The image elements themselves (src and alt), in order.
    image_alts: list[str] = field(default_factory=list)


def read_html(source: str, untagged: str = "id") -> HtmlText:
    """Read an HTML field. Without multilang spans the text is in the language
    `untagged` only (by default Indonesian, the bank's first language), so that the
    other one shows as missing."""
    reader = _Reader()
    reader.feed(source)
    reader.close()
    texts = {lang: _finish("".join(reader.parts[lang])) for lang in LANGUAGES}
    markup = {lang: "".join(reader.markup[lang]).strip() for lang in LANGUAGES}
    if not reader.multilang:
        for lang in LANGUAGES:
            if lang != untagged:
                texts[lang] = markup[lang] = ""
    return HtmlText(texts, reader.multilang, reader.images, markup, reader.alts)


def read_plain(source: str, untagged: str = "id") -> HtmlText:
    """A plain-text field: one language, no markup."""
    text = source.strip()
    texts = {lang: text if lang == untagged else "" for lang in LANGUAGES}
    return HtmlText(texts, False, html={lang: to_html(value) for lang, value in texts.items()})


def _finish(text: str) -> str:
    text = re.sub(f"{_LAYOUT}*\n{_LAYOUT}*", "\n", text)
    text = re.sub(f" *{_LAYOUT}[{_LAYOUT} ]*", " ", text.strip(_LAYOUT))
    return text.strip()


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: dict[str, list[str]] = {lang: [] for lang in LANGUAGES}
        self.stack: list[tuple[str, str | None]] = []  # (tag, language it selects, if a multilang span)
        self.multilang = False
        self.images: list[str] = []
        self.alts: list[str] = []
        self.markup: dict[str, list[str]] = {lang: [] for lang in LANGUAGES}
        self.hidden = 0

    def _targets(self) -> tuple[str, ...]:
        """The languages text at this point belongs to (none for other languages)."""
        for _tag, lang in reversed(self.stack):
            if lang is not None:
                return (lang,) if lang in LANGUAGES else ()
        return LANGUAGES

    def _add(self, text: str) -> None:
        for lang in self._targets():
            self.parts[lang].append(text)

    def _mark(self, markup: str) -> None:
        if not self.hidden:
            for lang in self._targets():
                self.markup[lang].append(markup)

    def _break(self) -> None:
        """End a block: a line break unless the text is empty or already ends in one."""
        for lang in self._targets():
            content = "".join(self.parts[lang]).rstrip(" " + _LAYOUT)
            if content and not content.endswith("\n"):
                self.parts[lang].append("\n")

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        is_language = tag == "span" and "multilang" in (attributes.get("class") or "").split() \
            and bool(attributes.get("lang"))
        if not is_language:
            self._mark(self.get_starttag_text() or f"<{tag}>")
        if tag == "img":
            self.images.append(attributes.get("src") or "")
            self.alts.append(attributes.get("alt") or "")
        elif tag == "br":
            self._add("\n")
        elif tag in _BLOCK:
            self._break()
        if tag in _VOID:
            return
        lang = None
        if is_language:
            code = re.split(r"[-_]", attributes["lang"].strip().lower())[0]
            lang = _LANG_ALIASES.get(code, code)
            self.multilang = True
        if tag in ("script", "style"):
            self.hidden += 1
        self.stack.append((tag, lang))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in _BLOCK:
            self._break()
        if any(open_tag == tag for open_tag, _lang in self.stack):
            while self.stack:
                open_tag, lang = self.stack.pop()
                if lang is None:
                    self._mark(f"</{open_tag}>")
                if open_tag in ("script", "style"):
                    self.hidden -= 1
                if open_tag == tag:
                    break

    def handle_data(self, data):
        if not self.hidden:
            self._add(re.sub(r"[ \t]*\n\s*", _LAYOUT, data))
            self._mark(html.escape(data, quote=False))
