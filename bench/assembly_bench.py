"""Benchmark: exam assembly from a generated bank of 10,000 questions.

Prints the time per paper for
  floor      - reading the class's candidate rows from the database (what any method must do),
  assemble   - the pure draw (per-topic sampling, shuffles) over in-memory candidates,
  start      - the whole start of an attempt: query + draw + writing the paper,
and the ratios start/floor and assemble/floor, all measured in this run.

Run: .venv/bin/python bench/assembly_bench.py [--questions 10000] [--papers 50]
"""
import argparse
import random
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from accounts.services import register_applicant  # noqa: E402
from app import create_app  # noqa: E402
from core.extensions import db  # noqa: E402
from core.sim_classes import CLASS_CODES  # noqa: E402
from exam import services  # noqa: E402
from exam.assembly import assemble  # noqa: E402
from exam.blueprints import DEFAULT_TOPIC_COUNTS, ensure_default_blueprints  # noqa: E402
from exam.models import Attempt  # noqa: E402
from question_bank.models import Question, QuestionVersion, QuestionVersionClass  # noqa: E402

TOPICS = list(DEFAULT_TOPIC_COUNTS)


def generate_bank(count: int, rng: random.Random) -> None:
    """Bulk-insert `count` questions with random topics and class sets."""
    for number in range(1, count + 1):
        question = Question(code=f"B-{number:05d}", status="active")
        db.session.add(question)
        version = QuestionVersion(
            question=question, number=1, topic=rng.choice(TOPICS), text_id=f"Soal {number}", text_en=f"Q {number}",
            options=[{"id": f"o{i}", "en": f"o{i}", "correct": i == 0} for i in range(rng.choice((3, 4)))],
            explanation_id="-", explanation_en="-", reference="-",
        )
        version.classes = [QuestionVersionClass(sim_class=c) for c in rng.sample(CLASS_CODES, rng.randint(3, 11))]
        db.session.add(version)
        if number % 1000 == 0:
            db.session.flush()
    db.session.flush()
    for question in db.session.scalars(db.select(Question)):
        question.current_version_id = question.versions[0].id
    db.session.commit()


def per_call(fn, repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - start) / repeat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--papers", type=int, default=50)
    args = parser.parse_args()
    rng = random.Random(20261123)
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db"})
        with app.app_context(), app.test_request_context():
            db.create_all()
            built = time.perf_counter()
            generate_bank(args.questions, rng)
            ensure_default_blueprints()
            print(f"bank: {args.questions} questions generated in {time.perf_counter() - built:.1f} s")
            user = register_applicant(full_name="Bench Mark", nik="3174010101900001", born=date(1990, 1, 1),
                                      email="bench@example.id", password="bench-password", sim_class="A", held=[])
            application = services.latest_application(user, "A")
            candidates = services.candidates_for("A")
            print("candidates for class A per topic:", {t: len(c) for t, c in sorted(candidates.items())})

            floor = per_call(lambda: services.candidates_for("A"), args.papers)
            draw = per_call(lambda: assemble(DEFAULT_TOPIC_COUNTS, candidates, set(), rng.randrange(2**31)), args.papers)

            def start_and_discard():
                attempt = services.start_attempt(user, application, consent=True)
                db.session.delete(attempt)
                db.session.commit()

            start = per_call(start_and_discard, args.papers)
            assert db.session.scalar(db.select(db.func.count(Attempt.id))) == 0
    print(f"floor    (query candidates)       {floor * 1000:8.2f} ms/paper")
    print(f"assemble (pure draw, in memory)   {draw * 1000:8.2f} ms/paper   ratio to floor {draw / floor:6.2f}")
    print(f"start    (query + draw + write)   {start * 1000:8.2f} ms/paper   ratio to floor {start / floor:6.2f}")


if __name__ == "__main__":
    main()
