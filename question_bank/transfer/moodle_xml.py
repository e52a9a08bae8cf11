"""Moodle XML (https://docs.moodle.org/en/Moodle_XML_format).

Export: `<quiz>`; before each topic's questions a `<question type="category">`
whose path is `$course$/top/SIM/<topic>`; then one `<question type="multichoice">`
per question: name and idnumber = the code, bilingual text in multilang spans
(see moodle_html), the explanation as general feedback, `<hidden>1</hidden>` for
a retired question, answers with fraction 100 (correct) or 0, and tags
`class:<code>` per SIM class, `topic:<topic>` and `ref:<reference>`. The image
(bundled or uploaded) is an `<img src="@@PLUGINFILE@@/NAME">` plus a base64
`<file>` inside the question text. (Moodle cuts tag names at 50 characters,
TAG_MAX_LENGTH, so a longer reference comes back shortened from a file that has
passed through a Moodle site; files exchanged directly keep it whole.)

Import reads that, hand-written files and what Moodle sites export (see FORMATS.md):
the code is the idnumber, else the name, else derived from the category path and
the name; the topic is a `topic:` tag, else the topic the category path is mapped to
(`plan.build_plan`); `<hidden>` sets the status (absent: leave it); text without
multilang spans is in the language chosen for unmarked text (translation needed);
true/false becomes two options; other question types are refused one by one with the
reason; answer feedback joins the general feedback in the explanation; formatted
HTML is kept sanitised; everything dropped is a warning. The question text's image
(also Moodle 1.9's <image>/<image_base64>) is matched by content (SHA-256) against the
bundled and uploaded images, else stored as a new upload when the import is
confirmed; a reference without a file is matched by name. Files must be UTF-8 (any
encoding declaration is ignored); DOCTYPE and ENTITY declarations are refused before
the parser sees the file (no entity expansion, no external entities), and the size
limit applies.
"""
import base64
import binascii
import hashlib
import re
import xml.etree.ElementTree as ET
from pathlib import PurePosixPath
from urllib.parse import quote, unquote

from flask_babel import gettext as _

from core.errors import ValidationError
from question_bank.images import UPLOAD_PREFIX, encode_upload, image_exists
from question_bank.models import ACTIVE, HTML, RETIRED, TOPICS
from question_bank.rich_text import dropped_markup, formatting_in, plain_to_html, tidy
from question_bank.transfer.common import (
    CODE_PATTERN,
    ImportProblem,
    ParsedQuestion,
    ParseResult,
    bundled_image_index,
    file_location,
    image_file,
    line_location,
    uploaded_image_with,
)
from question_bank.transfer.moodle_html import (
    LANGUAGES,
    HtmlText,
    multilang,
    read_html,
    read_plain,
)

CATEGORY_ROOT = "$course$/top/SIM"
PLUGINFILE = "@@PLUGINFILE@@/"
_DECLARATION = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_TRUE = {"1", "true", "yes"}
_FALSE = {"0", "false", "no"}


# --------------------------------------------------------------------------- export


def export(questions: list[dict]) -> bytes:
    quiz = ET.Element("quiz")
    topic = None
    for question in sorted(questions, key=lambda q: list(TOPICS).index(q["topic"]) if q["topic"] in TOPICS else 99):
        if question["topic"] != topic:
            topic = question["topic"]
            category = ET.SubElement(ET.SubElement(quiz, "question", type="category"), "category")
            _text(category, f"{CATEGORY_ROOT}/{topic}")
        quiz.append(_question_element(question))
    ET.indent(quiz)
    body = ET.tostring(quiz, encoding="unicode", short_empty_elements=False)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n").encode("utf-8")


def _question_element(question: dict) -> ET.Element:
    element = ET.Element("question", type="multichoice")
    _text(ET.SubElement(element, "name"), question["code"])
    questiontext = ET.SubElement(element, "questiontext", format="html")
    html_text = question.get("format") == HTML
    body = multilang(question["text"], html_text)
    if question["image"]:
        # Without its file (an upload missing here) the reference stays, so that
        # importing the file reports the image instead of silently dropping it.
        name = PurePosixPath(question["image"]).name
        body = f'<p><img src="{PLUGINFILE}{quote(name)}" alt=""></p>' + body
    _text(questiontext, body)
    path = image_file(question["image"]) if question["image"] else None
    if path is not None:
        file = ET.SubElement(questiontext, "file", name=path.name, path="/", encoding="base64")
        file.text = base64.b64encode(path.read_bytes()).decode("ascii")
    _text(ET.SubElement(element, "generalfeedback", format="html"), multilang(question["explanation"], html_text))
    hidden = "1" if question["status"] == RETIRED else "0"
    for tag, value in (("defaultgrade", "1"), ("penalty", "0"), ("hidden", hidden), ("idnumber", question["code"]),
                       ("single", "true"), ("shuffleanswers", "true"), ("answernumbering", "abc")):
        ET.SubElement(element, tag).text = value
    for option in question["options"]:
        answer = ET.SubElement(element, "answer", fraction="100" if option["correct"] else "0", format="html")
        _text(answer, multilang(option, html_text))
        _text(ET.SubElement(answer, "feedback", format="html"), "")
    tags = ET.SubElement(element, "tags")
    values = [f"class:{c}" for c in question["classes"]] + [f"topic:{question['topic']}"]
    if question["reference"]:
        values.append(f"ref:{question['reference']}")
    for value in values:
        _text(ET.SubElement(tags, "tag"), value)
    return element


def _text(parent: ET.Element, value: str) -> None:
    ET.SubElement(parent, "text").text = value


# --------------------------------------------------------------------------- import


def parse(text: str, untagged: str = "id") -> ParseResult:
    """Read a quiz file; each question is located as `<question> #N (CODE)`, N
    counting every <question> element in the file (categories included). Text
    without multilang spans is taken to be in the language `untagged`."""
    result = ParseResult()
    declaration = _DECLARATION.search(text)
    if declaration:
        line = text.count("\n", 0, declaration.start()) + 1
        result.add(ImportProblem(line_location(line), _("DOCTYPE and ENTITY declarations are not allowed")))
        return result
    try:
        quiz = ET.fromstring(text)
    except ET.ParseError as error:
        line, column = error.position
        result.add(ImportProblem(line_location(line), _("not well-formed XML (column %(n)s)", n=column + 1)))
        return result
    if quiz.tag != "quiz":
        result.add(ImportProblem(file_location(), _("the root element must be <quiz>, not <%(tag)s>", tag=quiz.tag)))
        return result
    category = ""  # questions before any category entry: the root (mapped like any other path)
    seen_codes: dict[str, int] = {}
    for number, element in enumerate(quiz.findall("question"), start=1):
        kind = element.get("type")
        if kind == "category":
            category = _category_path(_field_text(element.find("category")))
        elif kind in ("multichoice", "truefalse"):
            result.add(_question(number, element, category, untagged, seen_codes))
        else:
            result.add(_refused(number, element, kind, category, seen_codes))
    return result


def _category_path(path: str) -> str:
    """A category path without Moodle's context prefix and default root
    (`$course$/top/SIM/signs` -> `SIM/signs`)."""
    parts = [part.strip() for part in path.strip().strip("/").split("/") if part.strip()]
    if parts and parts[0].startswith("$") and parts[0].endswith("$"):
        parts = parts[1:]
    if parts and parts[0] == "top":
        parts = parts[1:]
    return "/".join(parts)[:255]


def _code(element: ET.Element, category: str | None, seen: dict[str, int]) -> tuple[str, str | None]:
    """The question's code: its idnumber, else its name, when either is a valid code;
    otherwise one derived from the category path and the name (stable, so that importing
    the same Moodle file again updates the questions instead of adding copies). Returns
    the code and, when it was derived, the Moodle name it replaces."""
    idnumber = _child_text(element, "idnumber").strip()
    name = _field_text(element.find("name")).strip()
    for candidate in (idnumber, name):
        if CODE_PATTERN.match(candidate):
            return candidate, None
    digest = hashlib.sha256(f"{category or ''}\n{idnumber or name}".encode()).hexdigest()[:8].upper()
    code = f"MDL-{digest}"
    seen[code] = seen.get(code, 0) + 1
    if seen[code] > 1:
        code = f"{code}-{seen[code]}"
    return code, idnumber or name


def _refused(number: int, element: ET.Element, kind: str | None, category: str | None,
             seen: dict[str, int]) -> ParsedQuestion:
    code, _name = _code(element, category, seen)
    parsed = ParsedQuestion(f"<question> #{number}", {"code": code}, lenient=True, category=category,
                            name=_field_text(element.find("name")).strip())
    parsed.problems.append(refusal_reason(kind))
    return parsed


def refusal_reason(kind: str | None) -> str:
    """Why a question type cannot become a bank question (one correct option out of 2 to 4)."""
    reasons = {
        "multianswer": _("embedded answers (cloze) cannot be imported: the bank has single-choice questions only"),
        "cloze": _("embedded answers (cloze) cannot be imported: the bank has single-choice questions only"),
        "essay": _("an essay question needs a marker; the bank has single-choice questions only"),
        "shortanswer": _("a short-answer question has no options to choose from"),
        "numerical": _("a numerical question has no options to choose from"),
        "matching": _("a matching question has several answers; the bank has one correct option per question"),
        "ddwtos": _("drag and drop cannot be imported: the bank has single-choice questions only"),
        "gapselect": _("select missing words cannot be imported: the bank has single-choice questions only"),
        "calculated": _("a calculated question has no options to choose from"),
        "description": _("a description is not a question"),
    }
    default = _("question type %(type)s cannot be imported (only multiple choice with one correct answer "
                "and true/false)", type=kind or "?")
    return _("question type %(type)s: %(reason)s", type=kind or "?", reason=reasons.get(kind or "", default)) \
        if kind in reasons else default


def _question(number: int, element: ET.Element, category: str | None, untagged: str,
              seen: dict[str, int]) -> ParsedQuestion:
    code, moodle_name = _code(element, category, seen)
    location = f"<question> #{number} ({code})"
    tags = [_field_text(tag).strip() for tag in element.findall("tags/tag")]
    tagged = {name: [t.split(":", 1)[1].strip() for t in tags if t.lower().startswith(name + ":")]
              for name in ("class", "topic", "ref")}
    topic_name = (tagged["topic"] or [(category or "").rsplit("/", 1)[-1]])[0]
    question_text = _read(element.find("questiontext"), untagged)
    general = _read(element.find("generalfeedback"), untagged)
    answers = [(answer, _read(answer, untagged)) for answer in element.findall("answer")]
    feedback = [_read(answer.find("feedback"), untagged) for answer, _read_answer in answers]
    parsed = ParsedQuestion(location, {
        "code": code,
        "status": _status(element),
        "topic": topic_key(topic_name),
        "classes": list(dict.fromkeys(c.upper() for c in tagged["class"])),
        "image": None,
        "reference": "; ".join(tagged["ref"]),
    }, lenient=True, category=category, topic_tagged=bool(tagged["topic"]),
        name=_field_text(element.find("name")).strip())
    if moodle_name:
        parsed.warnings.append(_("the Moodle name %(name)s is not kept; the question's code is %(code)s",
                                 name=repr(moodle_name), code=code))
    fields = {"text": question_text}
    if element.get("type") == "truefalse":
        _true_false(parsed, answers, untagged)
    else:
        if _child_text(element, "single").strip().lower() in _FALSE:
            parsed.problems.append(_("allows several answers (<single>false</single>); the bank has one correct "
                                     "option per question"))
        parsed.data["options"] = []
        for index, (answer, read) in enumerate(answers):
            fraction = _fraction(answer.get("fraction", "0"))
            if fraction is None:
                parsed.problems.append(_("answer %(n)s has fraction %(fraction)s; only 100 (correct) and 0 are "
                                         "supported", n=index + 1, fraction=repr(answer.get("fraction"))))
            parsed.data["options"].append({"correct": fraction == 100})
            fields[f"option {index}"] = read
    fill_texts(parsed, fields, general, feedback)
    _warn_dropped(parsed, element, question_text, general, [read for _a, read in answers], feedback)
    parsed.data["image"] = _image(parsed, element, question_text)
    if tagged["ref"] and any(len(f"ref:{ref}") == TAG_MAX_LENGTH for ref in tagged["ref"]):
        parsed.warnings.append(_("the reference is exactly %(n)s characters long, Moodle's tag limit: it may have "
                                 "been shortened", n=TAG_MAX_LENGTH))
    others = [t for t in tags if not t.lower().startswith(("class:", "topic:", "ref:"))]
    if others:
        parsed.warnings.append(_("tags not kept: %(tags)s", tags=", ".join(others)))
    return parsed


TAG_MAX_LENGTH = 50
_TRUE_FALSE = {"id": ("Benar", "Salah"), "en": ("True", "False")}


def _true_false(parsed: ParsedQuestion, answers: list, untagged: str) -> None:
    """A true/false question as two options, "True" and "False" (in both languages:
    the option words are the bank's own)."""
    correct = None
    for answer, read in answers:
        value = (read.texts.get(untagged) or read.texts.get("id") or read.texts.get("en") or "").strip().lower()
        if _fraction(answer.get("fraction", "0")) == 100:
            correct = value
    parsed.data["options"] = [
        {"id": _TRUE_FALSE["id"][0], "en": _TRUE_FALSE["en"][0], "correct": correct == "true"},
        {"id": _TRUE_FALSE["id"][1], "en": _TRUE_FALSE["en"][1], "correct": correct == "false"},
    ]


def fill_texts(parsed: ParsedQuestion, fields: dict, general: HtmlText, feedback: list[HtmlText]) -> None:
    """Texts of the question, its options and its explanation (the general feedback
    followed by each answer's feedback), as plain text, or as sanitised HTML when any
    of them carries formatting (lists, tables, sub/sup, links, emphasis)."""
    sanitised = {name: {lang: tidy(read.html.get(lang, "")) for lang in LANGUAGES}
                 for name, read in [*fields.items(), ("general", general)]}
    feedback_html = [{lang: tidy(read.html.get(lang, "")) for lang in LANGUAGES} for read in feedback]
    rich = any(formatting_in(value) for texts in [*sanitised.values(), *feedback_html] for value in texts.values())
    parsed.data["format"] = HTML if rich else None
    letters = "ABCD"

    def value(read: HtmlText, name: str | None, lang: str, html_value: str | None = None) -> str:
        if rich:
            return (html_value if html_value is not None else sanitised[name][lang]).strip()
        return read.texts[lang]

    parsed.data["text"] = {lang: value(fields["text"], "text", lang) for lang in LANGUAGES}
    for index, option in enumerate(parsed.data["options"]):
        name = f"option {index}"
        if name in fields:
            option.update({lang: value(fields[name], name, lang) for lang in LANGUAGES})
        elif rich:  # the bank's own true/false words, as HTML like the rest
            option.update({lang: plain_to_html(option[lang]) for lang in LANGUAGES})
    explanation = {}
    for lang in LANGUAGES:
        parts = [value(general, "general", lang)]
        lines = [(letters[i] if i < 4 else str(i + 1), value(read, None, lang, feedback_html[i][lang]))
                 for i, read in enumerate(feedback)]
        lines = [(letter, text) for letter, text in lines if text]
        if lines and rich:
            parts.append("<ul>" + "".join(f"<li>{letter}: {text}</li>" for letter, text in lines) + "</ul>")
        elif lines:
            parts.append("\n".join(f"{letter}: {text}" for letter, text in lines))
        explanation[lang] = ("" if rich else "\n\n").join(p for p in parts if p).strip()
    parsed.data["explanation"] = explanation
    if feedback and any(read.texts["id"] or read.texts["en"] for read in feedback):
        parsed.warnings.append(_("the feedback of each answer is kept in the explanation, after the general "
                                 "feedback"))
    if not any(explanation.values()):
        parsed.warnings.append(_("no general feedback: the question has no explanation yet"))


def _warn_dropped(parsed: ParsedQuestion, element: ET.Element, text: HtmlText, general: HtmlText,
                  answers: list[HtmlText], feedback: list[HtmlText]) -> None:
    """A warning for everything the import leaves out."""
    labelled = [(_("question text"), text), (_("general feedback"), general)]
    labelled += [(_("answer %(n)s", n=i + 1), read) for i, read in enumerate(answers)]
    labelled += [(_("feedback of answer %(n)s", n=i + 1), read) for i, read in enumerate(feedback)]
    for label, read in labelled:
        dropped = sorted({tag for lang in LANGUAGES for tag in dropped_markup(read.html.get(lang, ""))
                          if tag != "<img>"})
        if dropped:
            parsed.warnings.append(_("%(field)s: dropped markup %(tags)s", field=label, tags=", ".join(dropped)))
        if read is not text and read.images:
            parsed.warnings.append(_("%(field)s: image %(names)s dropped (only the question text can show an image)",
                                     field=label, names=", ".join(_file_name(s) for s in read.images)))
        links = sorted({_file_name(href) for lang in LANGUAGES for href in _hrefs(read.html.get(lang, ""))
                        if href.startswith(PLUGINFILE)})
        if links:
            parsed.warnings.append(_("%(field)s: link to the embedded file %(names)s dropped (files other than "
                                     "one image are not imported)", field=label, names=", ".join(links)))
    for tag, label in (("correctfeedback", _("feedback for a correct answer")),
                       ("partiallycorrectfeedback", _("feedback for a partly correct answer")),
                       ("incorrectfeedback", _("feedback for an incorrect answer"))):
        if _field_text(element.find(tag)).strip():
            parsed.warnings.append(_("%(field)s not kept (the explanation is shown whatever the answer)", field=label))
    hints = [h for h in element.findall("hint") if _field_text(h).strip()]
    if hints:
        parsed.warnings.append(_("%(n)s hint(s) not kept (the exam gives no hints)", n=len(hints)))


def _hrefs(html_text: str) -> list[str]:
    return re.findall(r"""href\s*=\s*["']([^"']*)["']""", html_text)


def _file_name(source: str) -> str:
    return unquote(source[len(PLUGINFILE):]) if source.startswith(PLUGINFILE) else source


def _read(element: ET.Element | None, untagged: str = "id") -> HtmlText:
    if element is None:
        return HtmlText({lang: "" for lang in LANGUAGES}, False, html={lang: "" for lang in LANGUAGES})
    source = _field_text(element)
    if element.get("format") in ("plain_text", "moodle_auto_format", "markdown"):
        return read_plain(source, untagged)
    return read_html(source, untagged)


def _image(parsed: ParsedQuestion, element: ET.Element, text: HtmlText) -> str | None:
    """The image the question text shows, if any: one of the bundled images or of those
    uploaded here (matched by content, or by name without a file), or a new one,
    stored on confirmation (`parsed.new_image`). Moodle 1.9's <image> and
    <image_base64> count as an image of the question text. Problems go to `parsed`."""
    questiontext = element.find("questiontext")
    sources = list(text.images)
    legacy = _child_text(element, "image").strip()
    legacy_content = "".join(_child_text(element, "image_base64").split())
    if legacy:
        sources.append(PLUGINFILE + quote(legacy))
    if not sources:
        return None
    if len(sources) > 1:
        parsed.warnings.append(_("has %(n)s images; a question shows one: only %(name)s is kept",
                                 n=len(sources), name=_file_name(sources[0])))
    source = sources[0]
    if not source.startswith(PLUGINFILE):
        parsed.problems.append(_("image %(source)s is not a file embedded in the question (@@PLUGINFILE@@)",
                                 source=repr(source)))
        return None
    name = unquote(source[len(PLUGINFILE):])
    embedded = [f for f in (questiontext.findall("file") if questiontext is not None else [])
                if (f.get("path") or "/").strip("/") == str(PurePosixPath(name).parent).strip("./")
                and f.get("name") == PurePosixPath(name).name]
    encoded = "".join((embedded[0].text or "").split()) if embedded else (legacy_content if legacy else "")
    images = bundled_image_index()
    if encoded:
        try:
            content = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            parsed.problems.append(_("image %(name)s: the embedded file is not valid base64", name=name))
            return None
        found = images.get("sha256:" + hashlib.sha256(content).hexdigest()) or uploaded_image_with(content)
        if found is None:
            try:
                stored_name, _encoded = encode_upload(content)
            except ValidationError as error:
                parsed.problems.append(_("image %(name)s: %(reason)s", name=name, reason=error.message))
                return None
            if image_exists(UPLOAD_PREFIX + stored_name):
                return UPLOAD_PREFIX + stored_name
            parsed.new_image = {"name": name, "content": encoded}
            parsed.warnings.append(_("the image %(name)s is new: it is stored when the import is confirmed", name=name))
        return found
    found = images.get(name) or _by_file_name(PurePosixPath(name).name, images, parsed) or _existing_upload(name)
    if found is None:
        parsed.problems.append(_("image %(name)s is neither a bundled image (static/img) nor an image already "
                                 "uploaded here, and the file does not contain it", name=name))
    return found


def _by_file_name(name: str, images: dict[str, str], parsed: ParsedQuestion) -> str | None:
    matches = sorted({path for key, path in images.items() if not key.startswith("sha256:")
                      and PurePosixPath(path).name == name})
    if len(matches) > 1:
        parsed.problems.append(_("image %(name)s is ambiguous (%(matches)s)", name=name, matches=", ".join(matches)))
    return matches[0] if len(matches) == 1 else None


def _existing_upload(name: str) -> str | None:
    """`upload/NAME` when an image of that name was uploaded here (upload names are content hashes)."""
    image = UPLOAD_PREFIX + name
    return image if "/" not in name and ".." not in name and image_exists(image) else None


def topic_key(name: str) -> str:
    """A topic key from a key or a title in either language; otherwise the name as
    given, which validation then reports as an unknown topic."""
    wanted = name.strip().lower()
    for key, titles in TOPICS.items():
        if wanted in (key, *(title.lower() for title in titles)):
            return key
    return name.strip()


def _status(element: ET.Element) -> str | None:
    hidden = _child_text(element, "hidden").strip().lower()
    return RETIRED if hidden in _TRUE else ACTIVE if hidden in _FALSE else None


def _fraction(value: str) -> int | None:
    try:
        number = float(value)
    except ValueError:
        return None
    return 100 if abs(number - 100) < 1e-6 else 0 if abs(number) < 1e-6 else None


def _field_text(element: ET.Element | None) -> str:
    """The <text> of a Moodle field (name, questiontext, answer, tag, ...)."""
    if element is None:
        return ""
    text = element.find("text")
    return (text.text or "") if text is not None else ""


def _child_text(element: ET.Element, tag: str) -> str:
    child = element.find(tag)
    return (child.text or "") if child is not None else ""
