"""exam.grading.grade: pure, maps the displayed choice back through option_order."""
import pytest

from exam.grading import GradedItem, grade


def item(topic="signs", order=(0, 1, 2, 3), correct=0, choice=None) -> GradedItem:
    return GradedItem(topic=topic, option_order=list(order), correct_option=correct, choice=choice)


def test_displayed_choice_is_mapped_through_option_order():
    # Stored option 2 is correct; it is displayed at position 0.
    shuffled = (2, 0, 3, 1)
    right = grade([item(order=shuffled, correct=2, choice=0)], pass_mark=1)
    wrong = grade([item(order=shuffled, correct=2, choice=2)], pass_mark=1)  # displayed 2 is stored 3
    assert right.item_correct == [True] and right.correct == 1
    assert wrong.item_correct == [False] and wrong.correct == 0


@pytest.mark.parametrize("order", [(0, 1, 2, 3), (3, 2, 1, 0), (1, 3, 0, 2), (2, 0, 1)])
def test_only_the_displayed_position_of_the_correct_option_scores(order):
    correct_stored = 1
    displayed_correct = order.index(correct_stored)
    for choice in range(len(order)):
        result = grade([item(order=order, correct=correct_stored, choice=choice)], pass_mark=1)
        assert result.item_correct == [choice == displayed_correct]


def paper(correct_answers: int, total: int = 30) -> list[GradedItem]:
    return [item(choice=0 if i < correct_answers else 1) for i in range(total)]


@pytest.mark.parametrize(("correct", "passed", "score"), [
    (30, True, 100),
    (22, True, 73),
    (21, True, 70),   # exactly the pass mark
    (20, False, 67),  # one below
    (0, False, 0),
])
def test_pass_at_exactly_the_pass_mark_fail_below(correct, passed, score):
    result = grade(paper(correct), pass_mark=21)
    assert (result.correct, result.total, result.passed, result.score) == (correct, 30, passed, score)


def test_unanswered_counts_as_wrong():
    items = [item(choice=0), item(choice=None), item(choice=None)]
    result = grade(items, pass_mark=1)
    assert result.item_correct == [True, False, False]
    assert result.correct == 1 and result.total == 3 and result.score == 33


def test_all_unanswered_fails():
    result = grade([item(choice=None) for _ in range(30)], pass_mark=21)
    assert result.correct == 0 and result.passed is False and result.score == 0


def test_per_topic_breakdown():
    items = [
        item("signs", choice=0), item("signs", choice=1), item("signs", choice=None),
        item("ethics", choice=0), item("ethics", choice=0),
        item("first_aid", choice=3),
    ]
    result = grade(items, pass_mark=3)
    assert result.by_topic == {
        "signs": {"correct": 1, "total": 3},
        "ethics": {"correct": 2, "total": 2},
        "first_aid": {"correct": 0, "total": 1},
    }
    assert result.correct == 3 and result.passed is True


def test_empty_paper_scores_zero():
    result = grade([], pass_mark=1)
    assert (result.correct, result.total, result.score, result.passed) == (0, 0, 0, False)


def test_grading_does_not_change_its_input():
    items = [item(order=(1, 0, 2, 3), correct=0, choice=1)]
    before = [(i.option_order[:], i.choice) for i in items]
    grade(items, pass_mark=1)
    assert [(i.option_order, i.choice) for i in items] == before
