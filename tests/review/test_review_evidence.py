"""The session page: the timeline (server-rendered SVG whose marks link to the
flags and events), evidence frames through proctoring's overlay URL, frames before
and after, the reference photo, and "evidence viewed" in the audit trail."""
import re

import pytest
from review_helpers import CLEAN, TWO_FACES

from core.audit import AuditEntry
from core.extensions import db
from proctoring.analysis import OVERLAY_MARKER
from proctoring.models import Frame, ProctorFlag

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def keep_frames(app):
    """Keep clean frames on disk (the default deletes them once analysed) so that the
    frames around a flag still have a picture."""
    app.config["PROCTOR_DELETE_CLEAN_FRAMES"] = False


@pytest.fixture
def session_sat(sit, keep_frames):
    """Clean, two faces twice, clean; the tab hidden from +3 s to +40 s; a copy at +12 s."""
    return sit([CLEAN, TWO_FACES, TWO_FACES, CLEAN],
               [("tab_hidden", 3), ("tab_visible", 40), ("copy", 12)], full_name="Ani Rahayu")


def ids(app, model, sat, **filters) -> dict:
    with app.app_context():
        found = db.session.scalars(db.select(model).filter_by(attempt_id=sat.attempt_id, **filters)).all()
        return {getattr(row, "sequence", None) or row.kind: row.id for row in found}


def test_the_timeline_links_every_flag_and_event(app, session_sat, examiner, web):
    html = web(examiner).get(f"/review/sessions/{session_sat.public_id}").get_data(as_text=True)
    svg = re.search(r'<svg class="chart timeline".*?</svg>', html, re.DOTALL).group(0)
    flags = ids(app, ProctorFlag, session_sat)
    assert set(flags) >= {"multiple_faces", "tab_hidden", "copy_paste"}
    for kind, flag_id in flags.items():
        assert f'href="#flag-{flag_id}"' in svg, kind
        assert f'id="flag-{flag_id}"' in html  # the anchor it jumps to
    assert svg.count('class="point tl-event') == 3 and 'href="#event-' in svg
    assert svg.count("tl-answer") == 30  # every answer's time
    assert "tl-start" in svg and "tl-submit" in svg
    assert 'class="tl-flag sev-high"' in svg
    # frames kept as evidence link to their own page
    frames = ids(app, Frame, session_sat)
    assert f'/review/sessions/{session_sat.public_id}/frames/{frames[2]}' in svg


def test_evidence_uses_the_overlay_url_with_context_and_the_reference_photo(app, session_sat, examiner, web):
    client = web(examiner)
    html = client.get(f"/review/sessions/{session_sat.public_id}").get_data(as_text=True)
    frames = ids(app, Frame, session_sat)
    faces = ids(app, ProctorFlag, session_sat)["multiple_faces"]
    card = re.search(rf'<article[^>]*id="flag-{faces}".*?</article>', html, re.DOTALL).group(0)
    assert f'src="/proctoring/evidence/{frames[2]}.jpg"' in card and f'src="/proctoring/evidence/{frames[3]}.jpg"' in card
    assert re.search(rf'data-frame="{frames[1]}" data-role="before"', card)
    assert re.search(rf'data-frame="{frames[4]}" data-role="after"', card)
    assert f'/review/sessions/{session_sat.public_id}/frames/{frames[1]}.jpg' in card  # context frame, not evidence
    assert "2 wajah" in card or "2 face(s)" in card  # what the analysis saw

    overlay = client.get(f"/proctoring/evidence/{frames[2]}.jpg")
    assert overlay.status_code == 200 and OVERLAY_MARKER in overlay.data
    context = client.get(f"/review/sessions/{session_sat.public_id}/frames/{frames[1]}.jpg")
    assert context.status_code == 200 and OVERLAY_MARKER in context.data
    assert context.headers["Cache-Control"] == "private, no-store"
    raw = client.get(f"/review/sessions/{session_sat.public_id}/frames/{frames[1]}.jpg?raw=1")
    assert OVERLAY_MARKER not in raw.data and raw.data.startswith(b"\xff\xd8")
    photo = client.get(f"/review/sessions/{session_sat.public_id}/reference.jpg")
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    assert 'id="reference-photo"' in html


def test_a_frame_page_shows_before_and_after_and_is_audited(app, session_sat, examiner, web, rows):
    frames = ids(app, Frame, session_sat)
    client = web(examiner)
    page = client.get(f"/review/sessions/{session_sat.public_id}/frames/{frames[2]}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and f'src="/proctoring/evidence/{frames[2]}.jpg"' in html
    assert f'data-frame="{frames[1]}" data-role="before"' in html and f'data-frame="{frames[3]}" data-role="after"' in html
    [entry] = rows(AuditEntry, action="evidence.view_frame")
    assert entry.actor_id == examiner.id and entry.target_id == str(frames[2])
    assert entry.details == {"attempt": session_sat.public_id, "sequence": 2, "evidence": True}


def test_opening_a_session_is_recorded_with_the_frames_shown(app, session_sat, admin, web, rows):
    web(admin).get(f"/review/sessions/{session_sat.public_id}")
    [entry] = rows(AuditEntry, action="evidence.view_session")
    frames = ids(app, Frame, session_sat)
    assert entry.actor_id == admin.id and entry.target_id == session_sat.public_id
    assert set(entry.details["frames"]) == {frames[2], frames[3]}


def test_frames_of_another_session_are_not_found(app, sit, session_sat, examiner, web):
    other = sit([TWO_FACES, TWO_FACES], full_name="Eko Prasetyo")
    frame = ids(app, Frame, session_sat)[2]
    client = web(examiner)
    assert client.get(f"/review/sessions/{other.public_id}/frames/{frame}").status_code == 404
    assert client.get(f"/review/sessions/{other.public_id}/frames/{frame}.jpg").status_code == 404
    assert client.get("/review/sessions/not-an-attempt").status_code == 404


def test_a_deleted_picture_is_described_not_served(app, sit, examiner, web):
    sat = sit([CLEAN, TWO_FACES, TWO_FACES, CLEAN])  # clean frames deleted after analysis (the default)
    frames = ids(app, Frame, sat)
    client = web(examiner)
    html = client.get(f"/review/sessions/{sat.public_id}").get_data(as_text=True)
    assert re.search(rf'data-frame="{frames[1]}" data-role="before"', html)
    assert client.get(f"/review/sessions/{sat.public_id}/frames/{frames[1]}.jpg").status_code == 404
    assert client.get(f"/review/sessions/{sat.public_id}/frames/{frames[1]}").status_code == 200


def test_the_page_has_no_inline_script_or_style(session_sat, examiner, web):
    response = web(examiner).get(f"/review/sessions/{session_sat.public_id}")
    html = response.get_data(as_text=True)
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r"\sstyle=", html) and "<style" not in html
    assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers
    assert re.search(r'<script src="/static/js/review.js\?v=[0-9a-f]{12}"', html)  # versioned: cacheable


def test_an_unsupervised_exam_has_an_empty_timeline_and_no_photo(app, make_bank, applicant, applicant_api, examiner,
                                                               web):
    make_bank()
    public_id = applicant_api.start(applicant.application_id).get_json()["id"]
    applicant_api.submit(public_id)
    client = web(examiner)
    html = client.get(f"/review/sessions/{public_id}").get_data(as_text=True)
    assert 'id="no-flags"' in html and 'id="reference-photo"' not in html
    assert client.get(f"/review/sessions/{public_id}/reference.jpg").status_code == 404
