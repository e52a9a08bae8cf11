"""Fixtures for the question-bank tests."""
import pytest
from flask_babel import force_locale
from transfer_helpers import SIGN, save

from helpers import question_data
from question_bank.models import RETIRED


@pytest.fixture
def sample_bank(app_ctx) -> dict[str, dict]:
    """A 4-option question with a bundled image, a 3-option one, a retired one and
    one whose text is full of characters that formats like to trip over."""
    tricky = question_data(topic="signs", classes=("A", "C"), code="SGN-777")
    tricky["text"] = {"id": 'Pengemudi berkata "berhenti, lalu jalan";\nbaris kedua: café – ☕ <b>bukan tebal</b> & co',
                      "en": '=HYPERLINK("http://evil.example","click")'}
    tricky["options"][0].update({"id": "+62 812 3456", "en": "-5 km/h"})
    tricky["options"][1].update({"id": "@SUM(A1:A2)", "en": "'quoted' and ''double''"})
    tricky["options"][2].update({"id": "Kalimat, dengan, koma", "en": "Tab\tinside and  two spaces"})
    tricky["explanation"] = {"id": "Penjelasan\n\ndengan paragraf & <i>tanda</i>", "en": "'=already quoted"}
    tricky["reference"] = "UU No. 22 Tahun 2009, Pasal 106; PM 13"
    return {
        "image": save(question_data(topic="signs", classes=("A", "A_UMUM", "C"), code="SGN-701", image=SIGN,
                                    correct_index=2)),
        "three": save(question_data(topic="first_aid", classes=("C", "C1", "C2", "D"), code="AID-701",
                                    option_count=3, correct_index=1)),
        "retired": save(question_data(topic="ethics", classes=("B1",), code="ETH-701"), status=RETIRED),
        "tricky": save(tricky),
    }




@pytest.fixture
def english(app_ctx):
    """Import problems in English: they follow the UI language, Indonesian by default."""
    with force_locale("en"):
        yield app_ctx
