"""Exclusion groups travel with the bank's own JSON and CSV formats."""
import json

import pytest
from transfer_helpers import csv_file, csv_row, empty_bank, json_file, question_by_code

from core.extensions import db
from helpers import question_data
from question_bank.services import upsert_question
from question_bank.transfer import ImportRejected, ImportReport, export_bank, import_bank, parse_import


@pytest.fixture
def grouped_bank(app_ctx) -> None:
    for code, group in (("REG-501", "level-crossing"), ("HAZ-501", "level-crossing"), ("SAF-501", None)):
        upsert_question(question_data(code=code, topic="regulations"))
        question_by_code(code).exclusion_group = group
    db.session.commit()


def groups() -> dict[str, str | None]:
    return {code: question_by_code(code).exclusion_group for code in ("REG-501", "HAZ-501", "SAF-501")}


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_groups_round_trip_through_export_and_import(grouped_bank, fmt):
    exported = export_bank(fmt)
    empty_bank()
    assert import_bank(fmt, exported, None) == ImportReport(created=3, regrouped=2)
    assert groups() == {"REG-501": "level-crossing", "HAZ-501": "level-crossing", "SAF-501": None}
    assert export_bank(fmt) == exported


def test_json_export_names_the_group(grouped_bank):
    by_code = {q["code"]: q for q in json.loads(export_bank("json"))["questions"]}
    assert by_code["REG-501"]["exclusion_group"] == "level-crossing" and by_code["SAF-501"]["exclusion_group"] is None


def test_an_import_moves_a_question_between_groups_and_out(grouped_bank):
    document = json.loads(export_bank("json"))
    for question in document["questions"]:
        question["exclusion_group"] = {"REG-501": "railway", "HAZ-501": None, "SAF-501": "railway"}[question["code"]]
    report = import_bank("json", json.dumps(document).encode(), None)
    assert report == ImportReport(unchanged=3, regrouped=3)
    assert groups() == {"REG-501": "railway", "HAZ-501": None, "SAF-501": "railway"}


def test_a_file_without_groups_leaves_them_alone(grouped_bank):
    data = question_data(code="REG-501", topic="regulations")
    plain = {key: value for key, value in data.items()}
    assert "exclusion_group" not in plain
    import_bank("json", json_file(plain), None)
    header_without_group = csv_file(csv_row(question_data(code="HAZ-501")))
    lines = header_without_group.decode("utf-8-sig").split("\r\n")
    cut = [",".join(line.split(",")[:-1]) for line in lines if line]  # drop the exclusion_group column
    import_bank("csv", ("\r\n".join(cut) + "\r\n").encode(), None)
    assert groups()["REG-501"] == "level-crossing" and groups()["HAZ-501"] == "level-crossing"


@pytest.mark.parametrize("bad", ["Level Crossing", "-starts-with-dash", "x" * 41, "kotak_kuning", 7, ["a"]])
def test_an_invalid_group_is_refused_with_a_per_question_message(english, bad):
    good = question_data(code="REG-601")
    wrong = {**question_data(code="REG-602"), "exclusion_group": bad}
    with pytest.raises(ImportRejected) as rejected:
        parse_import("json", json_file(good, wrong))
    problems = [str(p) for p in rejected.value.problems]
    assert len(problems) == 1 and problems[0].startswith("question 2 (REG-602): exclusion group")
    assert question_by_code("REG-601") is None  # nothing imported


def test_an_invalid_group_in_csv_names_the_row(english):
    row = csv_row(question_data(code="REG-603"))
    text = csv_file(row).decode("utf-8-sig").rstrip("\r\n") + "Bad Group\r\n"
    with pytest.raises(ImportRejected) as rejected:
        import_bank("csv", text.encode(), None)
    assert [p.location for p in rejected.value.problems] == ["row 2"]
    assert "exclusion group 'Bad Group'" in rejected.value.problems[0].reason
