"""The per-frame analysis and the reference check: pure functions of a frame,
the applicant's reference and the previous frame's `Memory`.

Which stages run on a frame:
- always: brightness; the short-range detector on the frame;
- the full-range detector on 256 px tiles, for small faces — on each tile whose
  picture changed since its last scan outside the faces already seen (someone may
  have come into view: at once for a large change, after 15 s for a small one), at
  least once a minute; an unchanged tile keeps the faces its last scan found;
- exactly one face: the face mesh (pose, gaze, how much of the face is outside
  the picture) on a crop around it. With no face there is nothing to measure;
  with two or more the frame is flagged whatever the pose;
- one face and a reference: the identity embedding, also while the head is turned
  up to `identity_max_yaw`, only when the face looks like none measured recently
  (see `matching_look`), else that measurement's distance is carried over.
"""
import time
from dataclasses import replace

import cv2
import numpy as np

from proctoring.vision import identity as ident
from proctoring.vision.detect import brightness, detect_faces
from proctoring.vision.models import Models, thread_models
from proctoring.vision.pose import (
    euler,
    gaze,
    head_pose_rotation,
    relative_gaze,
    relative_pose,
)
from proctoring.vision.records import (
    BLURRY,
    DARK,
    DIFFERENT_PERSON,
    FACE_PARTLY_OUT,
    FACE_TOO_SMALL,
    GAZE_AWAY,
    LOOKING_AWAY,
    MULTIPLE_FACES,
    NO_FACE,
    Box,
    FaceQuality,
    FrameAnalysis,
    Memory,
    ReferenceProfile,
    VerifiedLook,
)
from proctoring.vision.thresholds import DEFAULT_THRESHOLDS, Thresholds

MESH_CROP_SCALE = 2.0  # the mesh's crop: twice the face box, so its own detector sees the whole head
MESH_CROP_MAX_PX = 320  # larger crops are shrunk: the landmark model's input is 192 px anyway
MAX_LOOKS = 4  # measured faces remembered: the applicant frontal and turned, an impostor, one more


def face_quality(gray: np.ndarray, box: Box) -> FaceQuality:
    """Size, luma and sharpness of the face in `box` (clipped to the frame)."""
    height, width = gray.shape[:2]
    x, y, w, h = box
    x0, y0 = max(0, int(x)), max(0, int(y))
    x1, y1 = min(width, int(x + w)), min(height, int(y + h))
    crop = gray[y0:y1, x0:x1]
    if crop.size == 0:
        return FaceQuality(w, w / width, 0.0, 0.0)
    scaled = cv2.resize(crop, (128, max(1, round(128 * crop.shape[0] / crop.shape[1]))), interpolation=cv2.INTER_AREA)
    sharpness = float(cv2.Laplacian(scaled, cv2.CV_64F).var())
    return FaceQuality(w, w / width, float(crop.mean()), sharpness)


def box_outside_fraction(box: Box, width: int, height: int) -> float:
    """Share of the box's area that lies outside the frame."""
    x, y, w, h = box
    inside_w = max(0.0, min(x + w, width) - max(x, 0.0))
    inside_h = max(0.0, min(y + h, height) - max(y, 0.0))
    return 1.0 - inside_w * inside_h / (w * h) if w * h > 0 else 1.0


def mesh_landmarks(rgb: np.ndarray, box: Box, models: Models) -> np.ndarray | None:
    """478 face-mesh landmarks (x, y in frame pixels, z in the same scale) of the
    face in `box`, or None when the mesh finds no face there. The mesh runs on a
    square crop around the box; parts of the crop outside the frame are black,
    and landmarks may fall there (a face cut by the frame)."""
    height, width = rgb.shape[:2]
    x, y, w, h = box
    side = round(max(w, h) * MESH_CROP_SCALE)
    x0, y0 = round(x + w / 2 - side / 2), round(y + h / 2 - side / 2)
    pad = (max(0, -y0), max(0, y0 + side - height), max(0, -x0), max(0, x0 + side - width))
    crop = rgb[max(0, y0):min(height, y0 + side), max(0, x0):min(width, x0 + side)]
    if crop.size == 0:
        return None
    if any(pad):
        crop = cv2.copyMakeBorder(crop, *pad, cv2.BORDER_CONSTANT, value=(0, 0, 0))
    scale = 1.0
    if side > MESH_CROP_MAX_PX:
        scale = MESH_CROP_MAX_PX / side
        crop = cv2.resize(crop, (MESH_CROP_MAX_PX, MESH_CROP_MAX_PX), interpolation=cv2.INTER_AREA)
    result = models.mesh.process(np.ascontiguousarray(crop))
    if not result.multi_face_landmarks:
        return None
    points = np.array([(p.x, p.y, p.z) for p in result.multi_face_landmarks[0].landmark], dtype=np.float64)
    crop_px = crop.shape[1]
    points *= crop_px / scale
    points[:, 0] += x0
    points[:, 1] += y0
    return points


def landmarks_outside(landmarks: np.ndarray, width: int, height: int) -> float:
    xs, ys = landmarks[:468, 0], landmarks[:468, 1]
    return float(np.mean((xs < 0) | (xs >= width) | (ys < 0) | (ys >= height)))


def matching_look(memory: Memory, patch: np.ndarray | None, box: Box, pose, thresholds: Thresholds,
                  ) -> VerifiedLook | None:
    """The recently measured face this one still is, if any: measured less than
    `identity_refresh_frames` ago, in about the same place, size and pose, with an
    eye-aligned patch that still correlates with this one. The best-correlated
    such look wins. A face that left and came back (a covered lens, a visitor, a
    turned head, an impostor who got up) matches its earlier look."""
    if patch is None:
        return None
    best, best_similarity = None, thresholds.identity_patch_min_similarity
    x, y, w, h = box
    for look in memory.looks:
        if memory.frame_index - look.frame >= thresholds.identity_refresh_frames:
            continue
        px, py, pw, ph = look.box
        shift = np.hypot((x + w / 2) - (px + pw / 2), (y + h / 2) - (py + ph / 2)) / max(pw, 1.0)
        if (shift > thresholds.identity_max_shift_fraction
                or abs(w / max(pw, 1.0) - 1) > thresholds.identity_max_scale_change):
            continue
        if (pose is not None and look.pose is not None
                and pose.largest_change(look.pose) > thresholds.identity_max_pose_change):
            continue
        similarity = ident.patch_similarity(patch, np.array(look.patch, dtype=np.uint8))
        if similarity >= best_similarity:
            best, best_similarity = look, similarity
    return best


def analyze(frame_bgr: np.ndarray, reference: ReferenceProfile | None = None, memory: Memory | None = None, *,
            models: Models | None = None, thresholds: Thresholds = DEFAULT_THRESHOLDS,
            ) -> tuple[FrameAnalysis, Memory]:
    """Analyse one exam frame (HxWx3 uint8 BGR). Returns the analysis and the memory
    to pass with the next frame of the same attempt (a memory belongs to one attempt
    and its reference; start with None or `Memory()`). Pure apart from the timings:
    the same frame, reference and memory give the same analysis and memory.
    Raises ValueError for an array that is not an HxWx3 uint8 frame, ModelUnavailable
    when the models cannot be loaded."""
    return _analyze(frame_bgr, reference, memory or Memory(), models or thread_models(), thresholds, True)


def analyze_exhaustive(frame_bgr: np.ndarray, reference: ReferenceProfile | None = None, *,
                       models: Models | None = None, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> FrameAnalysis:
    """The baseline the benchmark compares `analyze` with: every model on every frame
    and every face — both detector passes on all windows, the face mesh and the
    identity embedding of each face found — with the same rules for the flags."""
    analysis, _ = _analyze(frame_bgr, reference, Memory(), models or thread_models(), thresholds, False, True)
    return analysis


def _analyze(frame_bgr, reference, memory, models, thresholds, cache, exhaustive=False):
    """`analyze`; with `cache` False every stage runs as if there were no memory,
    with `exhaustive` the mesh and embedding also run on every face (the baseline)."""
    if frame_bgr.ndim != 3 or frame_bgr.shape[2] != 3 or frame_bgr.dtype != np.uint8:
        raise ValueError("expected an HxWx3 uint8 BGR frame")
    timings: dict[str, float] = {}
    stages = ["detect"]
    start = time.perf_counter()
    height, width = frame_bgr.shape[:2]
    rgb = cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2RGB)
    gray = cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2GRAY)
    luma = brightness(gray)
    timings["convert"] = (time.perf_counter() - start) * 1000
    same_size = memory.frame_size == (width, height)
    faces, tiles = detect_faces(rgb, gray, luma, models, thresholds, memory.tiles if cache and same_size else None,
                                memory.frame_index, timings)
    flags = []
    if not faces:
        flags.append(NO_FACE)
    elif len(faces) > 1:
        flags.append(MULTIPLE_FACES)

    quality = pose = raw_pose = gaze_value = outside = distance = None
    fresh = False
    new_memory = replace(memory, frame_index=memory.frame_index + 1, frame_size=(width, height), tiles=tiles)
    if not same_size:
        new_memory = replace(new_memory, looks=())
    if faces:
        main = faces[0]
        quality = face_quality(gray, main.box)
    if (quality.luma if quality else luma) < thresholds.dark_luma:
        flags.append(DARK)
    if faces:
        if quality.width_fraction < thresholds.small_face_fraction:
            flags.append(FACE_TOO_SMALL)
        if quality.sharpness < thresholds.blur_min_sharpness and DARK not in flags:
            flags.append(BLURRY)
        partly_out = box_outside_fraction(main.box, width, height) > thresholds.box_outside_fraction
    if len(faces) == 1:
        stages.append("mesh")
        start = time.perf_counter()
        landmarks = mesh_landmarks(rgb, main.box, models)
        timings["mesh"] = (time.perf_counter() - start) * 1000
        patch = None
        if landmarks is not None:
            outside = landmarks_outside(landmarks, width, height)
            partly_out = partly_out or outside > thresholds.landmarks_outside_fraction
            raw_pose = euler(head_pose_rotation(landmarks, width, height, thresholds.pose_pnp_from_yaw))
            pose = relative_pose(raw_pose, reference.pose) if reference else raw_pose
            gaze_value = relative_gaze(gaze(landmarks), reference.gaze if reference else None)
            patch = ident.face_patch(gray, landmarks)
        if pose is not None and (abs(pose.yaw) > thresholds.looking_away_yaw
                                 or abs(pose.pitch) > thresholds.looking_away_pitch):
            flags.append(LOOKING_AWAY)
        elif landmarks is None:
            flags.append(LOOKING_AWAY)  # a face the mesh cannot fit is turned or covered
        if gaze_value is not None and abs(gaze_value.x) > thresholds.gaze_away:
            flags.append(GAZE_AWAY)
        # Identity wherever it is reliable, turned heads included (an impostor may keep
        # their head turned): dlib's distances grow past identity_max_yaw, for a cut
        # face, for a head bent down, and in the dark, where the brightened noise decides.
        identifiable = (landmarks is not None and not partly_out and pose is not None and DARK not in flags
                        and abs(pose.yaw) <= thresholds.identity_max_yaw
                        and abs(pose.pitch) <= thresholds.looking_away_pitch)
        if reference is not None and (exhaustive or identifiable):
            look = matching_look(memory, patch, main.box, pose, thresholds) if cache and same_size else None
            if look is not None:
                distance = look.distance
            else:
                stages.append("identity")
                start = time.perf_counter()
                distance = ident.distance(ident.embedding(rgb, main.box, models), reference.embedding)
                timings["identity"] = (time.perf_counter() - start) * 1000
                fresh = True
                if patch is not None:
                    look = VerifiedLook(memory.frame_index, distance, tuple(int(v) for v in patch.ravel()),
                                        main.box, pose)
                    new_memory = replace(new_memory, looks=(look, *new_memory.looks[:MAX_LOOKS - 1]))
            if distance > thresholds.identity_max_distance and identifiable:
                flags.append(DIFFERENT_PERSON)
    if faces and partly_out:
        flags.append(FACE_PARTLY_OUT)
    if exhaustive:  # the baseline: the models run on every other face too
        for face in faces[1:] if len(faces) == 1 else faces:
            start = time.perf_counter()
            mesh_landmarks(rgb, face.box, models)
            timings["mesh"] = timings.get("mesh", 0.0) + (time.perf_counter() - start) * 1000
            start = time.perf_counter()
            ident.embedding(rgb, face.box, models)
            timings["identity"] = timings.get("identity", 0.0) + (time.perf_counter() - start) * 1000
    analysis = FrameAnalysis(
        width=width, height=height, faces=tuple(faces), brightness=luma, flags=tuple(flags), quality=quality,
        pose=pose, raw_pose=raw_pose, gaze=gaze_value, landmarks_outside=outside, identity_distance=distance,
        identity_fresh=fresh, tiles_scanned=int(timings.pop("tiles_scanned")), stages=tuple(stages),
        timings=timings)
    return analysis, new_memory
