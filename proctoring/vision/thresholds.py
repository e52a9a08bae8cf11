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
        0.5, "MediaPipe's own default for the short-range model; it finds the applicant's face at webcam "
             "distance with 0.8-0.95 on the dev set.")
    tile_min_confidence: float = threshold(
        0.55, "The full-range model on tiles sees background heads at 0.6-0.9 on the dev set; 0.55 keeps "
              "dim ones while cat faces, textures and printed text stay below it.")
    tile_px: int = threshold(
        256, "The full-range model letterboxes its input to 192x192: a whole 640x480 frame shrinks a 45 px "
             "background face to ~13 px, under what it finds. On 256 px tiles (3x2 at 640x480) it is ~34 px, "
             "found on the dev set; 356x267 tiles (2x2) make it ~20 px and miss a dim 38 px head there.")
    tile_change_luma: float = threshold(
        8.0, "A tile is scanned again when some 2x2 block of its 32x32 thumbnail differs from its last scan "
             "by more than 8 grey levels (after matching exposure), outside the faces already seen. MEASURED")
    tile_ignore_face_scale: float = threshold(
        1.3, "The applicant's own movements are not news: thumbnail pixels within the face boxes grown 1.3x "
             "(the head) are left out of the comparison. Not more: a head peeking over the shoulder must "
             "still count as a change.")
    tile_rescan_frames: int = threshold(
        12, "Every tile is scanned at least once a minute (12 frames at 5 s) whatever the thumbnails say.")
    merge_iou: float = threshold(
        0.3, "Boxes of the same face from two passes overlap far more than 30%; two people's heads less.")
    min_face_px: float = threshold(
        30.0, "The smallest background head we must catch is ~40 px wide; on the dev set every detection "
              "under 30 px was a false one (stars, textures, a strand of hair).")
    low_light_luma: float = threshold(
        70.0, "Below a mean luma of 70 the detectors' scores drop; such frames are brightened (gamma) before "
              "detection. It changes nothing the examiner sees.")

    # --- frame quality
    dark_luma: float = threshold(
        40.0, "A dark room: the face's mean luma (the frame's, without a face) under 40 of 255. Ordinary indoor "
              "light gives faces of 60-180 on a webcam with auto-exposure; the frame itself may be darker "
              "(a dark wall) without the face being so. Dev set: dim-but-ordinary faces 55+, dark rooms 8-31.")
    blur_min_sharpness: float = threshold(
        15.0, "Variance of the Laplacian over the face (resized to 128 px) under 15 is motion blur or a "
              "smeared lens; sharp dev-set faces give 40-400.")
    small_face_fraction: float = threshold(
        0.12, "A main face narrower than 12% of the frame width (77 px at 640) is someone sitting far back: "
              "too small for a reliable identity check.")
    box_outside_fraction: float = threshold(
        0.10, "A face whose box lies more than 10% outside the picture is cut by the frame (boxes of faces "
              "fully in view reach past the edge by a few pixels at most).")
    landmarks_outside_fraction: float = threshold(
        0.08, "When more than 8% of the face-mesh points fall outside the picture the face is partly out "
              "of frame; a face touching the edge with its chin gives 1-5%.")

    # --- head pose and gaze (relative to the reference photo)
    looking_away_yaw: float = threshold(
        30.0, "Reading the far edge of the screen turns the head ~20 degrees at webcam distance; beyond 30 the "
              "eyes are off the screen (the web side's rules add duration).")
    looking_away_pitch: float = threshold(
        20.0, "Looking down at the keyboard is ~15 degrees; beyond 20 is the lap or the desk. Heads re-rendered "
              "40 degrees down read 24-37 on the dev set, level heads within 6.")
    gaze_away: float = threshold(
        0.30, "Iris offset from the eye's centre as a fraction of half the eye's width; past 0.45 the eyes are "
              "turned to the corner (dev set: centred eyes 0.0-0.25, eyes to the side 0.5+).")

    # --- reference photo (system check)
    reference_min_face_fraction: float = threshold(
        0.18, "The reference face must be at least 18% of the frame width (115 px at 640): the identity model "
              "aligns faces to 150 px, and smaller ones lose the detail it needs.")
    reference_min_luma: float = threshold(
        60.0, "Face luma under 60 makes the identity embedding noisy; the applicant is asked for more light.")
    reference_max_luma: float = threshold(
        225.0, "Over 225 the face is washed out (a lamp or window in front of it).")
    reference_max_yaw: float = threshold(
        20.0, "The reference must face the camera: the generic head model reads frontal dev-set photos within "
              "12 degrees of its yaw zero.")
    reference_pitch_bias: float = threshold(
        -10.0, "The generic 3D head model's pitch for a face looking straight at the camera (dev set mean); "
             "absolute pitch is judged around it, exam frames relative to the reference.")
    reference_max_pitch: float = threshold(
        20.0, "...and within 20 degrees of that bias up or down.")
    reference_max_gaze: float = threshold(
        0.25, "Eyes looking at the camera: iris within 0.35 of the eye's centre.")

    # --- identity
    identity_max_distance: float = threshold(
        0.6, "dlib's ResNet is trained so that the same person is under 0.6 (99.38% on LFW); the dev set's "
             "same-person pairs stay below it, different people above.")
    identity_refresh_frames: int = threshold(
        12, "Recompute the 70-150 ms embedding at least every 12th frame (one minute at 5 s) even when nothing "
            "seems to have changed.")
    identity_patch_min_similarity: float = threshold(
        0.80, "Between embeddings a 32x32 face patch aligned on the eyes stands in for identity: correlation "
              "above 0.80 with the last verified patch is the same face in the same light (dev set: same "
              "person 0.85-0.99, another person 0.3-0.75). Below, the embedding runs again.")
    identity_max_shift_fraction: float = threshold(
        0.35, "A face centre that moved more than 35% of the face width since the last embedding may be "
              "another person who sat down: re-check.")
    identity_max_scale_change: float = threshold(
        0.25, "Likewise a face that grew or shrank by more than 25%.")
    identity_max_pose_change: float = threshold(
        15.0, "Likewise a head turned more than 15 degrees from where it was verified (the patch changes with it).")

    @classmethod
    def reasons(cls) -> dict[str, str]:
        return {f.name: f.metadata["reason"] for f in fields(cls)}


DEFAULT_THRESHOLDS = Thresholds()
