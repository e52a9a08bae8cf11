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

Import reads that, and hand-written files: the code is the idnumber, else the
name; the topic is a `topic:` tag, else the last segment of the category path
(a topic key or its Indonesian or English title); `<hidden>` sets the status
(absent: leave it); texts without multilang spans count as Indonesian only and
are refused for missing English. An image must already be here: an embedded
file is matched by content (SHA-256) against the bundled images (static/img)
and the images already uploaded; a reference without an embedded file is
matched by name against the bundled images, then the uploaded ones. Nothing
new is stored. Files must
be UTF-8 (any encoding declaration is ignored); DOCTYPE and ENTITY declarations
are refused before the parser sees the file (no entity expansion, no external
entities), and the size limit applies.
"""
import base64
import binascii
import hashlib
import re
import xml.etree.ElementTree as ET
from pathlib import PurePosixPath
from urllib.parse import quote, unquote

from question_bank.images import UPLOAD_PREFIX, image_exists
from question_bank.models import ACTIVE, RETIRED, TOPICS
from question_bank.transfer.common import (
    ImportProblem,
    ParsedQuestion,
    ParseResult,
    bundled_image_index,
    image_file,
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
    body = multilang(question["text"])
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
    _text(ET.SubElement(element, "generalfeedback", format="html"), multilang(question["explanation"]))
    hidden = "1" if question["status"] == RETIRED else "0"
    for tag, value in (("defaultgrade", "1"), ("penalty", "0"), ("hidden", hidden), ("idnumber", question["code"]),
                       ("single", "true"), ("shuffleanswers", "true"), ("answernumbering", "abc")):
        ET.SubElement(element, tag).text = value
    for option in question["options"]:
        answer = ET.SubElement(element, "answer", fraction="100" if option["correct"] else "0", format="html")
        _text(answer, multilang(option))
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


def parse(text: str) -> ParseResult:
    """Read a quiz file; each question is located as `<question> #N (CODE)`, N
    counting every <question> element in the file (categories included)."""
    result = ParseResult()
    declaration = _DECLARATION.search(text)
    if declaration:
        line = text.count("\n", 0, declaration.start()) + 1
        result.add(ImportProblem(f"line {line}", "DOCTYPE and ENTITY declarations are not allowed"))
        return result
    try:
        quiz = ET.fromstring(text)
    except ET.ParseError as error:
        line, column = error.position
        result.add(ImportProblem(f"line {line}", f"not well-formed XML (column {column + 1})"))
        return result
    if quiz.tag != "quiz":
        result.add(ImportProblem("file", f"the root element must be <quiz>, not <{quiz.tag}>"))
        return result
    category: str | None = None
    for number, element in enumerate(quiz.findall("question"), start=1):
        kind = element.get("type")
        if kind == "category":
            category = _field_text(element.find("category")).strip().rstrip("/").rsplit("/", 1)[-1].strip()
        elif kind == "multichoice":
            result.add(_question(number, element, category))
        else:
            reason = f"question type {kind!r} is not supported (only multichoice)"
            result.add(ImportProblem(f"<question> #{number}", reason))
    return result


def _question(number: int, element: ET.Element, category: str | None) -> ParsedQuestion:
    code = (_child_text(element, "idnumber") or _field_text(element.find("name"))).strip()
    location = f"<question> #{number} ({code})" if code else f"<question> #{number}"
    tags = [_field_text(tag).strip() for tag in element.findall("tags/tag")]
    tagged = {name: [t.split(":", 1)[1].strip() for t in tags if t.lower().startswith(name + ":")]
              for name in ("class", "topic", "ref")}
    topic_name = (tagged["topic"] or [category or ""])[0]
    question_text = _read(element.find("questiontext"))
    explanation = _read(element.find("generalfeedback"))
    answers = [(answer, _read(answer)) for answer in element.findall("answer")]
    parsed = ParsedQuestion(location, {
        "code": code,
        "status": _status(element),
        "topic": _topic(topic_name),
        "classes": list(dict.fromkeys(c.upper() for c in tagged["class"])),
        "image": None,
        "text": question_text.texts,
        "options": [dict(read.texts, correct=False) for _answer, read in answers],
        "explanation": explanation.texts,
        "reference": "; ".join(tagged["ref"]),
    })
    if _child_text(element, "single").strip().lower() in _FALSE:
        parsed.problems.append("allows several answers (<single>false</single>); "
                               "only single-answer questions are supported")
    for index, (answer, _read_answer) in enumerate(answers):
        fraction = _fraction(answer.get("fraction", "0"))
        if fraction is None:
            parsed.problems.append(f"answer {index + 1} has fraction {answer.get('fraction')!r}; "
                                   "only 100 (correct) and 0 are supported")
        parsed.data["options"][index]["correct"] = fraction == 100
    _check_languages(parsed, question_text, explanation, [read for _answer, read in answers])
    if any(read.images for read in [explanation, *(read for _answer, read in answers)]):
        parsed.problems.append("images are only supported in the question text")
    parsed.data["image"] = _image(parsed, element.find("questiontext"), question_text.images)
    return parsed


def _check_languages(parsed: ParsedQuestion, text: HtmlText, explanation: HtmlText, answers: list[HtmlText]) -> None:
    """One problem per missing language, naming every field that lacks it."""
    fields = [("question text", text), ("general feedback (explanation)", explanation)]
    fields += [(f"answer {i + 1}", read) for i, read in enumerate(answers)]
    empty = [label for label, read in fields if not any(read.texts.values())]
    for lang, language in (("en", "English"), ("id", "Indonesian")):
        lacking = [label for label, read in fields if any(read.texts.values()) and not read.texts[lang]]
        if lacking:
            parsed.problems.append(f"missing {language} text in: {', '.join(lacking)}")
    if empty:
        parsed.problems.append(f"empty: {', '.join(empty)}")
    parsed.reported.update({"text", "explanation", "options.text"})


def _read(element: ET.Element | None) -> HtmlText:
    if element is None:
        return HtmlText({lang: "" for lang in LANGUAGES}, False)
    source = _field_text(element)
    return read_plain(source) if element.get("format") == "plain_text" else read_html(source)


def _image(parsed: ParsedQuestion, questiontext: ET.Element | None, sources: list[str]) -> str | None:
    """The bundled image the question text shows, if any (problems go to `parsed`)."""
    if not sources:
        return None
    if len(sources) > 1:
        parsed.problems.append(f"has {len(sources)} images; a question can show at most one")
        return None
    source = sources[0]
    if not source.startswith(PLUGINFILE):
        parsed.problems.append(f"image {source!r} is not a file embedded in the question (@@PLUGINFILE@@)")
        return None
    name = unquote(source[len(PLUGINFILE):])
    embedded = [f for f in (questiontext.findall("file") if questiontext is not None else [])
                if (f.get("path") or "/").strip("/") == str(PurePosixPath(name).parent).strip("./")
                and f.get("name") == PurePosixPath(name).name]
    images = bundled_image_index()
    if embedded:
        try:
            content = base64.b64decode("".join((embedded[0].text or "").split()), validate=True)
        except (binascii.Error, ValueError):
            parsed.problems.append(f"image {name}: the embedded file is not valid base64")
            return None
        found = images.get("sha256:" + hashlib.sha256(content).hexdigest()) or uploaded_image_with(content)
    else:
        found = images.get(name) or _by_file_name(PurePosixPath(name).name, images, parsed) \
            or _existing_upload(name)
    if found is None:
        parsed.problems.append(f"image {name} is neither a bundled image (static/img) nor an image already "
                               "uploaded here; new images cannot be added through Moodle XML")
    return found


def _by_file_name(name: str, images: dict[str, str], parsed: ParsedQuestion) -> str | None:
    matches = sorted({path for key, path in images.items() if not key.startswith("sha256:")
                      and PurePosixPath(path).name == name})
    if len(matches) > 1:
        parsed.problems.append(f"image {name} is ambiguous ({', '.join(matches)})")
    return matches[0] if len(matches) == 1 else None


def _existing_upload(name: str) -> str | None:
    """`upload/NAME` when an image of that name was uploaded here (upload names are content hashes)."""
    image = UPLOAD_PREFIX + name
    return image if "/" not in name and ".." not in name and image_exists(image) else None


def _topic(name: str) -> str:
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
