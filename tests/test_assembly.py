"""exam.assembly.assemble: a pure function, tested directly and with Hypothesis."""
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exam.assembly import Candidate, NotEnoughQuestions, assemble
from exam.blueprints import DEFAULT_TOPIC_COUNTS


def pool(topic_sizes: dict[str, int], option_count: int = 4) -> dict[str, list[Candidate]]:
    """Candidates with question ids unique across topics (version id = 1000 + question id)."""
    candidates, next_id = {}, 1
    for topic, size in topic_sizes.items():
        candidates[topic] = [Candidate(next_id + i, 1000 + next_id + i, option_count) for i in range(size)]
        next_id += size
    return candidates


@st.composite
def banks(draw):
    """A blueprint and a bank that can fill it, plus some already-seen questions."""
    topics = draw(st.lists(st.sampled_from(sorted(DEFAULT_TOPIC_COUNTS)), min_size=1, max_size=7, unique=True))
    counts = {topic: draw(st.integers(0, 6)) for topic in topics}
    candidates, next_id = {}, 1
    for topic in topics:
        size = counts[topic] + draw(st.integers(0, 6))
        candidates[topic] = [Candidate(next_id + i, 5000 + next_id + i, draw(st.integers(3, 4))) for i in range(size)]
        next_id += size
    all_ids = [c.question_id for cs in candidates.values() for c in cs]
    seen = set(draw(st.lists(st.sampled_from(all_ids), unique=True))) if all_ids else set()
    return counts, candidates, seen


@settings(max_examples=200, deadline=None)
@given(bank=banks(), seed=st.integers(0, 2**31 - 1))
def test_paper_fills_every_topic_exactly_without_duplicates(bank, seed):
    counts, candidates, seen = bank
    paper = assemble(counts, candidates, seen, seed)

    assert Counter(item.topic for item in paper) == Counter({t: n for t, n in counts.items() if n > 0})
    assert len({item.question_id for item in paper}) == len(paper)
    by_id = {c.question_id: (topic, c) for topic, cs in candidates.items() for c in cs}
    for item in paper:
        topic, candidate = by_id[item.question_id]
        assert item.topic == topic
        assert item.version_id == candidate.version_id
        assert sorted(item.option_order) == list(range(candidate.option_count))


@settings(max_examples=100, deadline=None)
@given(bank=banks(), seed=st.integers(0, 2**31 - 1))
def test_same_seed_gives_the_same_paper(bank, seed):
    counts, candidates, seen = bank
    assert assemble(counts, candidates, seen, seed) == assemble(counts, candidates, seen, seed)


@settings(max_examples=100, deadline=None)
@given(bank=banks(), seed=st.integers(0, 2**31 - 1))
def test_candidate_order_does_not_change_the_paper(bank, seed):
    """The pool is sorted before drawing, so the database's row order cannot change a paper."""
    counts, candidates, seen = bank
    reversed_pool = {topic: list(reversed(cs)) for topic, cs in candidates.items()}
    assert assemble(counts, candidates, seen, seed) == assemble(counts, reversed_pool, seen, seed)


@settings(max_examples=200, deadline=None)
@given(bank=banks(), seed=st.integers(0, 2**31 - 1))
def test_unseen_questions_are_preferred(bank, seed):
    counts, candidates, seen = bank
    paper = assemble(counts, candidates, seen, seed)
    for topic, needed in counts.items():
        if needed <= 0:
            continue
        unseen_available = sum(1 for c in candidates[topic] if c.question_id not in seen)
        drawn_seen = sum(1 for item in paper if item.topic == topic and item.question_id in seen)
        assert drawn_seen == max(0, needed - unseen_available)


def test_enough_unseen_questions_means_no_repeat():
    candidates = pool({topic: 2 * n for topic, n in DEFAULT_TOPIC_COUNTS.items()})
    first = assemble(DEFAULT_TOPIC_COUNTS, candidates, set(), seed=1)
    retake = assemble(DEFAULT_TOPIC_COUNTS, candidates, {item.question_id for item in first}, seed=2)
    assert not {item.question_id for item in first} & {item.question_id for item in retake}


def test_different_seeds_usually_give_different_papers():
    candidates = pool({topic: 2 * n for topic, n in DEFAULT_TOPIC_COUNTS.items()})
    papers = {tuple(assemble(DEFAULT_TOPIC_COUNTS, candidates, set(), seed)) for seed in range(20)}
    assert len(papers) == 20


def test_different_seeds_shuffle_question_order_and_options():
    """Even when the bank holds exactly the questions needed, seeds change the
    order of questions and of each question's options."""
    candidates = pool(DEFAULT_TOPIC_COUNTS)
    papers = [assemble(DEFAULT_TOPIC_COUNTS, candidates, set(), seed) for seed in range(10)]
    assert len({tuple(item.question_id for item in paper) for paper in papers}) > 1
    assert len({tuple(item.option_order for item in paper) for paper in papers}) > 1
    identity = tuple(range(4))
    assert any(item.option_order != identity for item in papers[0])


def test_default_blueprint_gives_thirty_questions():
    paper = assemble(DEFAULT_TOPIC_COUNTS, pool(DEFAULT_TOPIC_COUNTS), set(), seed=7)
    assert len(paper) == sum(DEFAULT_TOPIC_COUNTS.values()) == 30


def test_zero_count_topics_are_skipped_even_without_questions():
    paper = assemble({"signs": 2, "ethics": 0}, pool({"signs": 3}), set(), seed=3)
    assert [item.topic for item in paper] == ["signs", "signs"]


@pytest.mark.parametrize(("sizes", "short_topic", "available"), [
    ({"signs": 5, "ethics": 3}, "signs", 5),
    ({"signs": 6, "ethics": 2}, "ethics", 2),
    ({"signs": 6}, "ethics", 0),
])
def test_short_topic_raises_not_enough_questions(sizes, short_topic, available):
    with pytest.raises(NotEnoughQuestions) as raised:
        assemble({"signs": 6, "ethics": 3}, pool(sizes), set(), seed=0)
    assert raised.value.topic == short_topic
    assert raised.value.needed == {"signs": 6, "ethics": 3}[short_topic]
    assert raised.value.available == available


def test_seen_questions_fill_in_when_unseen_run_out():
    candidates = pool({"signs": 4})
    seen = {1, 2, 3}
    paper = assemble({"signs": 3}, candidates, seen, seed=5)
    ids = {item.question_id for item in paper}
    assert 4 in ids and len(ids) == 3


# --------------------------------------------------------------------------- exclusion groups


def test_a_paper_holds_at_most_one_question_of_an_exclusion_group():
    """Two topics whose pools each hold a question of the same group (the same thing
    asked twice): over many papers, never both; each of them still gets drawn."""
    candidates = pool({"regulations": 4, "safe_driving": 4})
    candidates["regulations"][0] = Candidate(1, 1001, 4, "headlights")
    candidates["safe_driving"][0] = Candidate(5, 1005, 4, "headlights")
    candidates["safe_driving"][1] = Candidate(6, 1006, 4, "headlights")
    drawn_ids = []
    for seed in range(300):
        paper = assemble({"regulations": 2, "safe_driving": 2}, candidates, set(), seed)
        ids = {item.question_id for item in paper}
        assert len(ids & {1, 5, 6}) <= 1, (seed, ids)
        drawn_ids.append(ids)
    assert all(any(question in ids for ids in drawn_ids) for question in (1, 5, 6))


def test_a_full_paper_comes_before_the_exclusion():
    """When a topic cannot be filled without repeating a group, the paper is still full."""
    candidates = {"signs": [Candidate(1, 11, 4, "g"), Candidate(2, 12, 4, "g")]}
    paper = assemble({"signs": 2}, candidates, set(), seed=3)
    assert sorted(item.question_id for item in paper) == [1, 2]
