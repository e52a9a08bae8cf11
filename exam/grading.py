"""Pure grading: takes what was drawn and what was chosen, returns a result. No writes."""
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class GradedItem:
    topic: str
    option_order: Sequence[int]
    correct_option: int
    choice: int | None


@dataclass(frozen=True)
class Result:
    correct: int
    total: int
    score: int
    passed: bool
    by_topic: dict[str, dict[str, int]]
    item_correct: list[bool]


def grade(items: Sequence[GradedItem], pass_mark: int) -> Result:
    """Score a paper. `choice` is the displayed option index, mapped back through
    `option_order` to the stored option; `pass_mark` is the number of correct
    answers needed. The score is the share correct on a 0-100 scale."""
    item_correct = [
        item.choice is not None and item.option_order[item.choice] == item.correct_option for item in items
    ]
    by_topic: dict[str, dict[str, int]] = {}
    for item, correct in zip(items, item_correct):
        bucket = by_topic.setdefault(item.topic, {"correct": 0, "total": 0})
        bucket["total"] += 1
        bucket["correct"] += int(correct)
    correct_total = sum(item_correct)
    total = len(items)
    score = round(100 * correct_total / total) if total else 0
    return Result(correct_total, total, score, correct_total >= pass_mark, by_topic, item_correct)
