"""Pure paper assembly: draw per topic at random without replacement, prefer
questions the applicant has not seen, never two of one exclusion group (questions
that ask the same thing, possibly under different topics) while the pools allow,
shuffle the order and each question's options.

The same candidates and seed always give the same paper, so a paper can be
reproduced from the stored seed and question versions.
"""
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Candidate:
    question_id: int
    version_id: int
    option_count: int
    group: str | None = None  # the question's exclusion group


@dataclass(frozen=True)
class PaperItem:
    question_id: int
    version_id: int
    topic: str
    option_order: tuple[int, ...]


class NotEnoughQuestions(Exception):
    def __init__(self, topic: str, needed: int, available: int):
        super().__init__(f"topic {topic!r} needs {needed} questions, the bank has {available}")
        self.topic, self.needed, self.available = topic, needed, available


def assemble(
    topic_counts: Mapping[str, int],
    candidates: Mapping[str, Sequence[Candidate]],
    seen_question_ids: set[int],
    seed: int,
) -> list[PaperItem]:
    """Draw a paper. Raises `NotEnoughQuestions` if a topic cannot be filled."""
    rng = random.Random(seed)
    drawn: list[PaperItem] = []
    groups_used: set[str] = set()
    for topic in sorted(topic_counts):
        needed = topic_counts[topic]
        if needed <= 0:
            continue
        pool = sorted(candidates.get(topic, ()), key=lambda c: c.question_id)
        if len(pool) < needed:
            raise NotEnoughQuestions(topic, needed, len(pool))
        unseen = [c for c in pool if c.question_id not in seen_question_ids]
        seen = [c for c in pool if c.question_id in seen_question_ids]
        rng.shuffle(unseen)
        rng.shuffle(seen)
        ordered = unseen + seen
        fresh = [c for c in ordered if c.group is None or c.group not in groups_used]
        chosen = _one_per_group(fresh)
        if len(chosen) < needed:  # the pool cannot avoid a repeat: a full paper still comes first
            chosen += [c for c in ordered if c not in chosen]
        for candidate in chosen[:needed]:
            if candidate.group:
                groups_used.add(candidate.group)
            order = list(range(candidate.option_count))
            rng.shuffle(order)
            drawn.append(PaperItem(candidate.question_id, candidate.version_id, topic, tuple(order)))
    rng.shuffle(drawn)
    return drawn


def _one_per_group(candidates: list[Candidate]) -> list[Candidate]:
    """The candidates in order, keeping only the first of each exclusion group."""
    kept, groups = [], set()
    for candidate in candidates:
        if candidate.group is not None:
            if candidate.group in groups:
                continue
            groups.add(candidate.group)
        kept.append(candidate)
    return kept
