from test_api_flow import *
def test_dbg(app, applicant_api, timed, clock):
    public_id = timed["id"]
    print(timed["question_deadline_at"], timed["server_now"], timed["started_at"])
    clock.advance(seconds=15)
    state = applicant_api.state(public_id).get_json()
    print({k: state[k] for k in ("current_position","question_deadline_at","server_now","question_seconds_left")})
