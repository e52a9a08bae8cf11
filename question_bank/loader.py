"""Loads the bundled question bank (`question_bank/data/*.json`) into the database."""
import json
from collections import Counter
from pathlib import Path

from flask_babel import force_locale
from sqlalchemy import select

from core.extensions import db
from question_bank.models import ACTIVE, PRACTICE, Question
from question_bank.services import question_problems, upsert_question

DATA_DIR = Path(__file__).resolve().parent / "data"
EXCLUSION_GROUPS = Path(__file__).resolve().parent / "exclusion_groups.json"


class BankFileError(Exception):
    """The bundled files are invalid; nothing was loaded."""


def read_bank(folder: Path = DATA_DIR) -> list[dict]:
    """Read and validate every data file; raise `BankFileError` listing all problems
    (in English: they are for the developers who edit the files, through the CLI)."""
    with force_locale("en"):
        return _read_bank(folder)


def _read_bank(folder: Path) -> list[dict]:
    questions, problems = [], []
    for path in sorted(folder.glob("*.json")):
        try:
            items = json.loads(path.read_text(encoding="utf-8"))["questions"]
        except (ValueError, KeyError, TypeError) as error:
            problems.append(f"{path.name}: cannot read: {error}")
            continue
        for index, item in enumerate(items):
            for problem in question_problems(item):
                problems.append(f"{path.name} question {index + 1} ({item.get('code') if isinstance(item, dict) else '?'}): {problem}")
            questions.append(item)
    duplicates = [code for code, n in Counter(q.get("code") for q in questions if isinstance(q, dict)).items() if n > 1]
    problems.extend(f"duplicate code {code}" for code in duplicates)
    if problems:
        raise BankFileError("\n".join(problems))
    return questions


def read_exclusion_groups(path: Path = EXCLUSION_GROUPS) -> dict[str, str]:
    """Question code -> exclusion group name. Raises `BankFileError` for a broken file
    or a question in two groups."""
    try:
        groups = json.loads(path.read_text(encoding="utf-8"))["groups"]
        pairs = [(code, group["name"]) for group in groups for code in group["codes"]]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise BankFileError(f"{path.name}: cannot read: {error}") from error
    twice = [code for code, n in Counter(code for code, _ in pairs).items() if n > 1]
    if twice:
        raise BankFileError(f"{path.name}: in more than one group: {', '.join(twice)}")
    return dict(pairs)


def load_bank(folder: Path = DATA_DIR, groups_file: Path = EXCLUSION_GROUPS) -> Counter:
    """Load the bank in one transaction. Returns counts of created/updated/unchanged.
    Questions marked `"status": "practice"` go to the practice pool (also when an
    active exam question is moved there by a later file); a retired one stays retired.
    The bundled questions get their exclusion groups from `groups_file`."""
    counts: Counter = Counter()
    groups = read_exclusion_groups(groups_file)
    for item in read_bank(folder):
        counts[upsert_question(item)] += 1
        question = db.session.scalar(select(Question).where(Question.code == item["code"]))
        question.exclusion_group = groups.get(item["code"])
        if item.get("status") == PRACTICE and question.status == ACTIVE:
            question.status = PRACTICE
    db.session.commit()
    return counts
