"""Every threshold of the proctoring rules and the risk score, in
one place, each with the reason for its value (`RuleConfig.reasons()` lists them).

The frame interval these assume is the default 5 s (PROCTOR_FRAME_INTERVAL_SECONDS);
rules that count frames say so, rules that need a duration measure time.

What one frame shows (a head turned beyond 30 degrees, a face that is someone
else's, a reference photo that is too dark) is judged by the vision code with its
own thresholds, in proctoring/vision/thresholds.py; these rules decide how much of
it, for how long, makes a flag.
"""
from dataclasses import dataclass, field, fields

LOW, MEDIUM, HIGH = "low", "medium", "high"
SEVERITIES = (LOW, MEDIUM, HIGH)


def threshold(value, reason: str):
    """A field with its default and the reason for it."""
    return field(default=value, metadata={"reason": reason})



@dataclass(frozen=True)
class RuleConfig:
    # --- consecutive frames
    max_frame_gap_seconds: float = threshold(
        20.0, "Two analysed frames are 'consecutive' only if at most 20 s apart (4 intervals): a longer gap "
              "means frames are missing, and we do not assume what happened in between.")
    # --- no face
    no_face_min_frames: int = threshold(
        2, "One empty frame is often a glance down or a sneeze; two in a row (about 5-10 s) is someone "
           "who left the camera's view.")
    no_face_high_seconds: float = threshold(
        30.0, "Away from the camera for 30 s is enough to consult notes or another person.")
    # --- more than one face
    multi_face_min_confidence: float = threshold(
        0.6, "A second face counts only if the detector is at least 60% sure: lower scores are mostly "
             "posters, photos on the wall and shadows in our dev set.")
    multi_face_high_frames: int = threshold(
        2, "A second face is high only when two frames in a row show it: one frame alone can be a speck "
           "the detector took for a face (a noisy background at 0.61-0.62 on real photos), and is medium.")
    # --- looking away (the vision code's "looking_away" per frame: head pose beyond its thresholds)
    looking_away_min_seconds: float = threshold(
        10.0, "Sustained means 10 s (three frames at the default interval): short glances are normal.")
    looking_away_medium_seconds: float = threshold(
        30.0, "Half a minute looking elsewhere is long enough to read notes.")
    # --- identity (the vision code's "different_person" per frame)
    identity_min_frames: int = threshold(
        3, "A mismatch must hold for three frames in a row: lighting and pose make single frames unreliable.")
    # --- camera off / covered
    camera_dark_brightness: float = threshold(
        15.0, "Mean luma under 15 of 255 is a covered lens or a black feed, not a dim room, unless a face is "
              "found in it (real dim frames with faces found at 0.77-0.98): then it is a dark room (low).")
    camera_dark_min_frames: int = threshold(2, "As for no face: one dark frame can be an exposure glitch.")
    camera_off_high_seconds: float = threshold(30.0, "Half a minute without video is a gap an examiner must look at.")
    # --- browser events
    tab_hidden_high_seconds: float = threshold(
        30.0, "Switching away for half a minute is enough to look answers up.")
    event_merge_seconds: float = threshold(
        10.0, "Events of one kind less than 10 s apart are one burst (e.g. copy, then paste) and one flag.")
    fullscreen_exit_medium_count: int = threshold(
        3, "Leaving fullscreen three times in one burst is deliberate, not a slip of the Esc key.")
    # --- answering pace
    fast_answer_seconds: float = threshold(
        2.0, "Reading a question and its options takes several seconds even for someone who knows the answer; "
             "a median under 2 s between answers is answering from a key (a harvested key answered a whole "
             "paper in about one second).")
    fast_answers_min_count: int = threshold(10, "Judge the pace only over at least ten answers: a few quick guesses are normal.")
    # --- risk score (see proctoring.scoring)
    score_weights: dict = field(default_factory=lambda: {
        "multiple_faces": 0.8, "identity_mismatch": 0.9, "no_face": 0.6, "camera_off": 0.6, "tab_hidden": 0.6,
        "copy_paste": 0.5, "looking_away": 0.4, "fullscreen_exit": 0.3, "no_video": 0.7,
        "fast_answers": 0.5, "face_reused": 0.8, "dark_room": 0.1}, metadata={"reason":
        "The most a kind of flag alone can add to the risk (as a fraction of 100). Another person in view or "
        "a different person sitting the exam is close to proof; looking away has innocent explanations; "
        "missing video hides everything, so it weighs more than a camera seen to be off; a reference face that "
        "another account used is one person behind several registrations, or a stock photo."})
    score_saturation: dict = field(default_factory=lambda: {
        "multiple_faces": 2, "identity_mismatch": 3, "no_face": 6, "camera_off": 6, "tab_hidden": 6,
        "copy_paste": 2, "looking_away": 12, "fullscreen_exit": 4, "no_video": 6, "fast_answers": 10,
        "face_reused": 1, "dark_room": 12}, metadata={"reason":
        "Evidence units (frames, events, or 5-s slices of time) at which a kind reaches about 63% of its weight."})

    @classmethod
    def reasons(cls) -> dict[str, str]:
        return {f.name: f.metadata["reason"] for f in fields(cls)}


DEFAULT_RULES = RuleConfig()
