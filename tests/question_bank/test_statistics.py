"""Item statistics: the pure core against numbers worked out by hand, its edge
cases and refusals, and the database reader against the pure core on real attempts."""
import random
from collections import Counter

import pytest
from sqlalchemy import event, select

from accounts.models import User
from core.extensions import db
from exam import services
from exam.models import SUBMITTED, Application, Attempt
from question_bank.services import upsert_question
from question_bank.statistics import (
    LOW_DISCRIMINATION,
    NEGATIVE_DISCRIMINATION,
    TOO_EASY,
    TOO_HARD,
    UNUSED_DISTRACTOR,
    Response,
    compute_item_statistics,
    group_size,
    item_statistics,
)

# --------------------------------------------------------------------------- the hand-made set
#
# Ten attempts (ids 1-10), four questions. Question q has version 10q+1; question 4
# was edited half-way: attempts 1-5 saw version 41, attempts 6-10 version 42.
#
#   version  options  key (stored order)
#   11       4        1
#   21       4        0
#   31       3        2
#   41       4        2
#   42       3        0
VERSIONS = {11: (1, 4, 1), 21: (2, 4, 0), 31: (3, 3, 2), 41: (4, 4, 2), 42: (4, 3, 0)}  # question, options, key

# Stored choices (None = unanswered); a tick is a correct answer.
#   attempt  Q1     Q2     Q3     Q4           correct     total
#   1        1 ✓    0 ✓    0      41: 2 ✓      1 1 0 1     3
#   2        1 ✓    0 ✓    0      41: 2 ✓      1 1 0 1     3
#   3        1 ✓    0 ✓    2 ✓    41: 2 ✓      1 1 1 1     4
#   4        1 ✓    0 ✓    1      41: -        1 1 0 0     2
#   5        1 ✓    1      2 ✓    41: 2 ✓      1 0 1 1     3
#   6        1 ✓    2      0      42: 1        1 0 0 0     1
#   7        1 ✓    3      2 ✓    42: 2        1 0 1 0     2
#   8        3      1      2 ✓    42: -        0 0 1 0     1
#   9        1 ✓    0 ✓    -      42: 0 ✓      1 1 0 1     3
#   10       1 ✓    -      2 ✓    42: 1        1 0 1 0     2
PAPERS = {
    1: (1, 0, 0, (41, 2)),
    2: (1, 0, 0, (41, 2)),
    3: (1, 0, 2, (41, 2)),
    4: (1, 0, 1, (41, None)),
    5: (1, 1, 2, (41, 2)),
    6: (1, 2, 0, (42, 1)),
    7: (1, 3, 2, (42, 2)),
    8: (3, 1, 2, (42, None)),
    9: (1, 0, None, (42, 0)),
    10: (1, None, 2, (42, 1)),
}


def response(attempt_id: int, version_id: int, choice: int | None, with_key: bool = True) -> Response:
    question_id, option_count, key = VERSIONS[version_id]
    return Response(attempt_id, question_id, version_id, choice, choice == key, option_count,
                    key if with_key else None)


def hand_made(copies: int = 1) -> list[Response]:
    """The table above; with copies > 1, repeated under attempt ids 101-110, 201-210, ..."""
    responses = []
    for copy in range(copies):
        for attempt, (q1, q2, q3, (q4_version, q4)) in PAPERS.items():
            attempt_id = attempt + 100 * copy
            responses += [response(attempt_id, 11, q1), response(attempt_id, 21, q2),
                          response(attempt_id, 31, q3), response(attempt_id, q4_version, q4)]
    return responses


# Ranked by total: 1 (6, 8) | 2 (4, 7, 10) | 3 (1, 2, 5, 9) | 4 (3).
# n = 10, so each group holds k = round(2.7) = 3 attempts:
#   lower = 6, 8 and one place shared by 4, 7, 10 (weight 1/3 each)
#   upper = 3 and two places shared by 1, 2, 5, 9 (weight 2/4 = 1/2 each)
# r_pb below is the corrected one, x against y = total - x, from
#   Sxy = nΣxy - ΣxΣy, Sxx = nΣx² - (Σx)², Syy = nΣy² - (Σy)², r = Sxy / sqrt(Sxx·Syy).


def test_facility_discrimination_and_point_biserial_by_hand():
    stats = compute_item_statistics(hand_made())
    assert list(stats) == [1, 2, 3, 4]

    # Q1: 9 of 10 right (all but 8): p = 0.9.
    # upper: 3 ✓ + ½(1 ✓ 2 ✓ 5 ✓ 9 ✓) = 3 → 3/3 = 1; lower: 6 ✓, 8 ✗ + ⅓(4 ✓ 7 ✓ 10 ✓) = 2 → 2/3.
    # D = 1 - 2/3 = 0.333.
    # y = 2 2 3 1 2 0 1 1 2 1: Σx = 9, Σy = 15, Σy² = 29, Σxy = 15 - 1 (attempt 8) = 14.
    # Sxy = 140 - 135 = 5, Sxx = 90 - 81 = 9, Syy = 290 - 225 = 65: r = 5 / √585 = 0.207.
    q1 = stats[1]
    assert (q1.n, q1.correct, q1.unanswered, q1.p, q1.group_size) == (10, 9, 0, 0.9, 3)
    assert q1.upper_p == 1.0 and q1.lower_p == pytest.approx(2 / 3)
    assert round(q1.discrimination, 3) == 0.333
    assert round(q1.point_biserial, 3) == 0.207

    # Q2: right for 1 2 3 4 9: p = 0.5.
    # upper: 3 ✓ + ½(1 ✓ 2 ✓ 5 ✗ 9 ✓) = 2.5 → 5/6; lower: 6 ✗ 8 ✗ + ⅓(4 ✓ 7 ✗ 10 ✗) = ⅓ → 1/9.
    # D = 5/6 - 1/9 = 13/18 = 0.722.
    # y = 2 2 3 1 3 1 2 1 2 2: Σx = 5, Σy = 19, Σy² = 41, Σxy = 2+2+3+1+2 = 10.
    # Sxy = 100 - 95 = 5, Sxx = 50 - 25 = 25, Syy = 410 - 361 = 49: r = 5/35 = 0.143.
    q2 = stats[2]
    assert (q2.n, q2.correct, q2.unanswered, q2.p) == (10, 5, 1, 0.5)
    assert q2.upper_p == pytest.approx(5 / 6) and q2.lower_p == pytest.approx(1 / 9)
    assert round(q2.discrimination, 3) == 0.722
    assert round(q2.point_biserial, 3) == 0.143

    # Q3: right for 3 5 7 8 10: p = 0.5, and the weaker candidates do better.
    # upper: 3 ✓ + ½(1 ✗ 2 ✗ 5 ✓ 9 ✗) = 1.5 → 1/2; lower: 6 ✗ 8 ✓ + ⅓(4 ✗ 7 ✓ 10 ✓) = 5/3 → 5/9.
    # D = 1/2 - 5/9 = -1/18 = -0.056.
    # y = 3 3 3 2 2 1 1 0 3 1: Σx = 5, Σy = 19, Σy² = 47, Σxy = 3+2+1+0+1 = 7.
    # Sxy = 70 - 95 = -25, Sxx = 25, Syy = 470 - 361 = 109: r = -25 / √2725 = -0.479.
    q3 = stats[3]
    assert (q3.n, q3.correct, q3.unanswered, q3.p) == (10, 5, 1, 0.5)
    assert q3.upper_p == 0.5 and q3.lower_p == pytest.approx(5 / 9)
    assert round(q3.discrimination, 3) == -0.056
    assert round(q3.point_biserial, 3) == -0.479

    # Q4 (both versions pooled): right for 1 2 3 5 9: p = 0.5.
    # upper: 3 ✓ + ½(1 ✓ 2 ✓ 5 ✓ 9 ✓) = 3 → 1; lower: 6 ✗ 8 ✗ + ⅓(4 ✗ 7 ✗ 10 ✗) = 0. D = 1.
    # y = 2 2 3 2 2 1 2 1 2 2: Σx = 5, Σy = 19, Σy² = 39, Σxy = 2+2+3+2+2 = 11.
    # Sxy = 110 - 95 = 15, Sxx = 25, Syy = 390 - 361 = 29: r = 15 / √725 = 0.557.
    q4 = stats[4]
    assert (q4.n, q4.correct, q4.unanswered, q4.p) == (10, 5, 2, 0.5)
    assert (q4.upper_p, q4.lower_p, q4.discrimination) == (1.0, 0.0, 1.0)
    assert round(q4.point_biserial, 3) == 0.557

    # Too few responses for flags (n < 30).
    assert all(s.flags == () and not s.needs_review for s in stats.values())


def test_option_counts_are_per_version_in_stored_order():
    stats = compute_item_statistics(hand_made())
    #            stored options        unanswered
    # 11: 1 ×9, 3 ×1 (attempt 8)       0
    # 21: 0 ×5, 1 ×2, 2 ×1, 3 ×1       1 (attempt 10)
    # 31: 0 ×3, 1 ×1, 2 ×5             1 (attempt 9)
    # 41: 2 ×4                         1 (attempt 4)
    # 42: 0 ×1, 1 ×2, 2 ×1             1 (attempt 8)
    expected = {11: ((0, 9, 0, 1), 0), 21: ((5, 2, 1, 1), 1), 31: ((3, 1, 5), 1),
                41: ((0, 0, 4, 0), 1), 42: ((1, 2, 1), 1)}
    for question in stats.values():
        for version_id, version in question.versions.items():
            assert (version.option_counts, version.unanswered) == expected[version_id]
            assert version.key == VERSIONS[version_id][2]
            assert sum(version.option_counts) == version.answered

    # Q4's versions on their own: 41 right 4 of 5, 42 right 1 of 5 (attempt 9);
    # 5 responses are too few for D and r_pb.
    v41, v42 = stats[4].versions[41], stats[4].versions[42]
    assert (v41.n, v41.p, v42.n, v42.p) == (5, 0.8, 5, 0.2)
    assert v41.discrimination is None and v41.point_biserial is None and v41.group_size is None
    assert stats[4].latest is v42


def test_flags_on_the_set_taken_three_times():
    """30 attempts, so flags apply: k = round(8.1) = 8. Totals: 1 ×6, 2 ×9, 3 ×12, 4 ×3.
    lower = the six at 1 and 2/9 of each at 2; upper = the three at 4 and 5/12 of each at 3.
    r_pb does not change when every point is repeated."""
    stats = compute_item_statistics(hand_made(copies=3))

    # Q1: p = 27/30 = 0.9, not above 0.90. upper = (3 + 12·5/12)/8 = 1;
    # lower = (3 [6 ✓, 8 ✗] + 9·2/9)/8 = 5/8; D = 3/8 = 0.375.
    # Options 0 and 2 of version 11 (key 1) were never chosen in 30.
    q1 = stats[1]
    assert (q1.n, q1.p, q1.group_size, q1.discrimination) == (30, 0.9, 8, 0.375)
    assert round(q1.point_biserial, 3) == 0.207
    assert [(f.code, f.version_id, f.option) for f in q1.flags] == [
        (UNUSED_DISTRACTOR, 11, 0), (UNUSED_DISTRACTOR, 11, 2)]
    assert q1.flags == q1.versions[11].flags

    # Q2: upper = (3 + 9 [1 2 9 ✓, 5 ✗]·5/12)/8 = 6.75/8 = 27/32;
    # lower = (0 + 3 [4 ✓]·2/9)/8 = 1/12; D = 27/32 - 1/12 = 73/96 = 0.760. No flags.
    q2 = stats[2]
    assert round(q2.discrimination, 3) == 0.760 and q2.flags == ()

    # Q3: upper = (3 + 3 [5 ✓]·5/12)/8 = 17/32; lower = (3 [8 ✓] + 6 [7 10 ✓]·2/9)/8 = 13/24;
    # D = 17/32 - 13/24 = -1/96 = -0.010, r_pb = -0.479: negative (and not also "low").
    q3 = stats[3]
    assert round(q3.discrimination, 3) == -0.010 and round(q3.point_biserial, 3) == -0.479
    assert [f.code for f in q3.flags] == [NEGATIVE_DISCRIMINATION]

    # Q4: D = (3 + 12·5/12)/8 - 0 = 1. Versions have 15 responses each: no version flags.
    # Version 41 alone: totals 2 (4) ×3, 3 (1 2 5) ×9, 4 (3) ×3; k = round(4.05) = 4;
    # upper = (3 + 1 place of 9, all ✓)/4 = 1, lower = (0 + 1 place of 9, all ✓)/4 = 1/4: D = 0.75.
    # r_pb: x = 1 1 1 0 1, y = 2 2 3 2 2: Sxy = 45 - 44 = 1, Sxx = 20 - 16 = 4, Syy = 125 - 121 = 4:
    # r = 1/4 = 0.25.
    q4 = stats[4]
    assert (q4.discrimination, q4.flags) == (1.0, ())
    v41 = q4.versions[41]
    assert (v41.n, v41.group_size, v41.discrimination, v41.flags) == (15, 4, 0.75, ())
    assert v41.point_biserial == pytest.approx(0.25)


def test_too_easy_too_hard_and_low_discrimination():
    """30 attempts, two questions. T (version 51, 3 options, key 0): everyone right.
    A (version 61, 4 options, key 3): right for attempts 1-6; 7-30 pick 0, 1, 2 in turn.
    Totals: 1-6 have 2, the rest 1. k = 8.
    T: p = 1 > 0.90; upper = lower = 1, D = 0 < 0.20; x has no variance: r_pb None;
       options 1 and 2 never chosen.
    A: p = 6/30 = 0.2 < 0.30; upper = (6 + 2 places of 24, none ✓)/8 = 0.75, lower = 0: D = 0.75;
       y = total - x = 1 for everyone: r_pb None."""
    responses = []
    for attempt in range(1, 31):
        responses.append(Response(attempt, 5, 51, 0, True, 3))
        choice = 3 if attempt <= 6 else attempt % 3
        responses.append(Response(attempt, 6, 61, choice, choice == 3, 4))
    stats = compute_item_statistics(responses)

    easy, hard = stats[5], stats[6]
    assert (easy.p, easy.discrimination, easy.point_biserial) == (1.0, 0.0, None)
    assert [(f.code, f.option) for f in easy.flags] == [
        (TOO_EASY, None), (LOW_DISCRIMINATION, None), (UNUSED_DISTRACTOR, 1), (UNUSED_DISTRACTOR, 2)]
    assert easy.versions[51].key == 0  # inferred from the correct responses
    assert (hard.p, hard.upper_p, hard.lower_p, hard.discrimination, hard.point_biserial) == \
        (0.2, 0.75, 0.0, 0.75, None)
    assert [f.code for f in hard.flags] == [TOO_HARD]
    assert hard.versions[61].option_counts == (8, 8, 8, 6)
    assert all(f.reason for f in easy.flags + hard.flags)


# --------------------------------------------------------------------------- edge cases


@pytest.mark.parametrize(("n", "k"), [(10, 3), (30, 8), (50, 14), (100, 27), (150, 41)])
def test_group_size_rounds_half_up(n, k):
    assert group_size(n) == k


def test_no_responses():
    assert compute_item_statistics([]) == {}


def test_everyone_correct_has_no_point_biserial():
    stats = compute_item_statistics([Response(a, 1, 11, 2, True, 4) for a in range(1, 11)])[1]
    assert (stats.n, stats.p, stats.upper_p, stats.lower_p, stats.discrimination) == (10, 1.0, 1.0, 1.0, 0.0)
    assert stats.point_biserial is None
    assert stats.versions[11].option_counts == (0, 0, 10, 0)


def test_a_single_attempt():
    stats = compute_item_statistics([response(1, 11, 1), response(1, 21, 3)])
    assert (stats[1].n, stats[1].p, stats[2].p) == (1, 1.0, 0.0)
    for item in stats.values():
        assert (item.group_size, item.discrimination, item.point_biserial, item.flags) == (None, None, None, ())


def test_key_is_inferred_from_correct_responses_or_unknown():
    stats = compute_item_statistics([response(1, 11, 1, with_key=False), response(2, 21, 3, with_key=False)])
    assert stats[1].versions[11].key == 1
    assert stats[2].versions[21].key is None  # nobody right, no key given


def test_given_totals_let_a_subset_match_the_whole():
    everything = hand_made()
    totals = Counter(r.attempt_id for r in everything if r.correct)
    only_q2 = [r for r in everything if r.question_id == 2]
    assert compute_item_statistics(only_q2, attempt_totals=totals) == {2: compute_item_statistics(everything)[2]}
    # Without the totals, Q2's own answers are each attempt's whole score: a different ranking.
    assert compute_item_statistics(only_q2)[2].point_biserial is None


@pytest.mark.parametrize(("responses", "totals", "message"), [
    ([Response(1, 1, 11, 1, True, 4), Response(1, 1, 12, 0, False, 4)], None, "twice"),
    ([Response(1, 1, 11, 4, False, 4)], None, "out of range"),
    ([Response(1, 1, 11, None, True, 4)], None, "unanswered"),
    ([Response(1, 1, 11, 0, False, 4), Response(2, 1, 11, 0, False, 3)], None, "option counts"),
    ([Response(1, 1, 11, 0, False, 4), Response(2, 2, 11, 0, False, 4)], None, "different questions"),
    ([Response(1, 1, 11, 0, True, 4), Response(2, 1, 11, 1, True, 4)], None, "inconsistent keys"),
    ([Response(1, 1, 11, 0, False, 4, 7)], None, "inconsistent keys"),
    ([Response(1, 1, 11, 0, False, 4)], {2: 5}, "no total"),
])
def test_inconsistent_input_is_refused(responses, totals, message):
    with pytest.raises(ValueError, match=message):
        compute_item_statistics(responses, attempt_totals=totals)


# --------------------------------------------------------------------------- through the database


@pytest.fixture
def sat(app_ctx, make_bank, make_applicant):
    """Twelve submitted attempts on a bank that fills the exam exactly (every paper
    holds all 30 questions), one question edited after six of them (4 options -> 3),
    and one attempt left in progress. Returns the bank, the edited question's record
    and what each submitted answer pointed at: (version id, stored index found by
    option text, independent of `option_order`)."""
    bank = make_bank()
    edited = bank[0]
    chosen: Counter = Counter()

    def sit(seed: int, submit: bool = True) -> None:
        account = make_applicant()
        user = db.session.get(User, account.id)
        attempt = services.start_attempt(user, db.session.get(Application, account.application_id), consent=True)
        rng = random.Random(seed)
        for item in attempt.items:
            key_shown = item.option_order.index(item.version.correct_index)
            pick = rng.choice([key_shown] * (seed % 4 + 1) + list(range(len(item.option_order))) + [None])
            if pick is None:
                continue
            services.answer(attempt, item.position, pick)
            shown = item.displayed_options()[pick]
            if submit:
                stored = next(i for i, o in enumerate(item.version.options) if o["en"] == shown["en"])
                chosen[item.question_version_id, stored] += 1
        if submit:
            services.submit(attempt)

    for seed in range(6):
        sit(seed)
    data = dict(edited.data, options=[
        {"id": "Satu", "en": "One", "correct": False},
        {"id": "Dua", "en": "Two", "correct": False},
        {"id": "Tiga", "en": "Three", "correct": True},
    ])
    assert upsert_question(data) == "updated"
    db.session.commit()
    for seed in range(6, 12):
        sit(seed)
    sit(99, submit=False)
    return bank, edited, chosen


def responses_from_orm() -> list[Response]:
    """The expected input, built by walking the ORM objects one by one."""
    responses = []
    for attempt in db.session.scalars(select(Attempt).where(Attempt.state == SUBMITTED)):
        for item in attempt.items:
            stored = None if item.choice is None else item.option_order[item.choice]
            responses.append(Response(attempt.id, item.version.question_id, item.question_version_id, stored,
                                      item.correct, len(item.version.options), item.version.correct_index))
    return responses


def test_item_statistics_reads_submitted_attempts(sat):
    bank, edited, chosen = sat
    queries = []

    def listener(_connection, _cursor, statement, *_args) -> None:
        queries.append(statement)

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        stats = item_statistics()
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(queries) == 2  # whatever the number of attempts: no query per attempt or item

    assert stats == compute_item_statistics(responses_from_orm())
    assert set(stats) == {record.id for record in bank}
    assert all(item.n == 12 for item in stats.values())  # the attempt in progress is left out

    old, new = (stats[edited.id].versions[v] for v in sorted(stats[edited.id].versions))
    assert (old.version_id, old.n, len(old.option_counts), old.key) == (edited.version_id, 6, 4, edited.correct_index)
    assert (new.n, len(new.option_counts), new.key) == (6, 3, 2)
    assert stats[edited.id].latest is new

    counted = Counter({(version.version_id, option): count
                       for item in stats.values() for version in item.versions.values()
                       for option, count in enumerate(version.option_counts) if count})
    assert counted == chosen


def test_item_statistics_for_some_questions_keeps_whole_paper_totals(sat):
    bank, _edited, _chosen = sat
    everything = item_statistics()
    some = [bank[1].id, bank[7].id, bank[20].id]
    assert item_statistics(some) == {question_id: everything[question_id] for question_id in sorted(some)}
    assert item_statistics([]) == {}
    assert item_statistics([10_000]) == {}
