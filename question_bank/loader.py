"""Loads the bundled question bank (`question_bank/data/*.json`) into the database."""
import json
from collections import Counter
from pathlib import Path

from sqlalchemy import select

from core.extensions import db
from question_bank.models import ACTIVE, PRACTICE, Question
from question_bank.services import question_problems, upsert_question

DATA_DIR = Path(__file__).resolve().parent / "data"


class BankFileError(Exception):
    """The bundled files are invalid; nothing was loaded."""


def read_bank(folder: Path = DATA_DIR) -> list[dict]:
    """Read and validate every data file; raise `BankFileError` listing all problems."""
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


def load_bank(folder: Path = DATA_DIR) -> Counter:
    """Load the bank in one transaction. Returns counts of created/updated/unchanged.
    Questions marked `"status": "practice"` go to the practice pool (also when an
    active exam question is moved there by a later file); a retired one stays retired."""
    counts: Counter = Counter()
    for item in read_bank(folder):
        counts[upsert_question(item)] += 1
        if item.get("status") == PRACTICE:
            question = db.session.scalar(select(Question).where(Question.code == item["code"]))
            if question.status == ACTIVE:
                question.status = PRACTICE
    db.session.commit()
    return counts
