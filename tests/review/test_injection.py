"""Hostile text in what applicants type ends up stored as text and rendered escaped:
a name carrying a script and an SQL fragment shows up literally, harmlessly, on the
examiner's queue and session pages and on the admin's user list."""
from accounts.models import User

PAYLOAD = "Budi <script>alert('x')</script> '); DROP TABLE users;--"


def test_a_hostile_name_is_stored_as_text_and_rendered_escaped(app, sit, examiner, web, rows, make_user):
    sat = sit(frames=[{}, {"faces": []}, {"faces": []}], full_name=PAYLOAD)
    assert rows(User, id=sat.account.id)[0].full_name == PAYLOAD  # stored as typed; the table is still there
    escaped = "Budi &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &#39;); DROP TABLE users;--"
    client = web(examiner)
    for page in ("/review", f"/review/sessions/{sat.public_id}"):
        html = client.get(page).get_data(as_text=True)
        assert "<script>alert" not in html, page
        assert escaped in html, page
    admin = web(make_user("admin", full_name="Admin"))
    html = admin.get("/admin/users").get_data(as_text=True)
    assert "<script>alert" not in html and escaped in html
