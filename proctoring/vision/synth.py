"""Image operations the dev set is generated with: placing a photographed face in a
640x480 frame, pasting a head, exposure/noise/blur, and turning a head in 3D."""
import os

import cv2
import numpy as np

from proctoring.vision.models import package_dir
from proctoring.vision.pose import rotation_from_pose
from proctoring.vision.records import HeadPose

WIDTH, HEIGHT = 640, 480
NPM = "npm:"  # a source package named "npm:<name>" is one tools/npm_faces.py fetched
PROJECT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def npm_faces_dir() -> str:
    """Where tools/npm_faces.py puts the npm packages' photos (the same rule as its
    `faces_dir`: the tool runs on a bare Python, so it cannot import this module)."""
    return os.environ.get("NPM_FACES_DIR") or os.path.join(PROJECT, ".venv", "share", "npm-faces")


def source_path(package: str, path: str) -> str:
    """The file `path` of an installed package: a PyPI package's folder, or for
    "npm:<name>" the folder tools/npm_faces.py fills."""
    if package.startswith(NPM):
        name = package[len(NPM):]
        full = os.path.join(npm_faces_dir(), *name.split("/"), *path.split("/"))
        if not os.path.isfile(full):
            raise FileNotFoundError(f"{full} is missing: run `.venv/bin/python tools/npm_faces.py` "
                                    f"(part of `make test`) to fetch {name}'s photos")
        return full
    return os.path.join(package_dir(package), path)


def read_source(package: str, path: str) -> np.ndarray:
    image = cv2.imread(source_path(package, path), cv2.IMREAD_COLOR)
    if image is None:
        raise FileNotFoundError(f"{package}/{path} is missing or unreadable")
    return image


def place(image: np.ndarray, box, face_width: float, centre: tuple[float, float], roll: float = 0.0) -> np.ndarray:
    """A 640x480 frame of `image` scaled so the face in `box` is `face_width` px wide,
    its centre at `centre`, tilted by `roll` degrees. Where the photo ends, its border
    pixels continue, blurred like an out-of-focus room (a mirrored border could
    repeat the face)."""
    x, y, w, h = box
    matrix = cv2.getRotationMatrix2D((x + w / 2, y + h / 2), roll, face_width / w)
    matrix[0, 2] += centre[0] - (x + w / 2)
    matrix[1, 2] += centre[1] - (y + h / 2)
    frame = cv2.warpAffine(image, matrix, (WIDTH, HEIGHT), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE)
    inside = cv2.warpAffine(np.ones(image.shape[:2], np.float32), matrix, (WIDTH, HEIGHT), flags=cv2.INTER_LINEAR)
    if inside.min() < 1:
        inside = cv2.GaussianBlur(inside, (0, 0), 3)[..., None]
        blurred = cv2.GaussianBlur(frame, (0, 0), 12).astype(np.float32)
        frame = np.clip(frame * inside + blurred * (1 - inside), 0, 255).astype(np.uint8)
    return frame


def paste_head_from(frame: np.ndarray, image: np.ndarray, box, face_width: float, centre, dim: float,
                    blur: float) -> np.ndarray:
    """Paste the head whose face is `box` in the photo `image` (with some hair and
    neck), scaled to a face `face_width` px wide, its centre at `centre`, darkened
    by `dim`, defocused by `blur`, with a soft oval edge."""
    x, y, w, h = box
    x0, y0 = max(0, int(x - 0.45 * w)), max(0, int(y - 0.55 * h))
    x1, y1 = min(image.shape[1], int(x + 1.45 * w)), min(image.shape[0], int(y + 1.35 * h))
    crop = image[y0:y1, x0:x1].astype(np.float32)
    scale = face_width / w
    crop = cv2.resize(crop, (max(2, round(crop.shape[1] * scale)), max(2, round(crop.shape[0] * scale))),
                      interpolation=cv2.INTER_AREA)
    if blur > 0:
        crop = cv2.GaussianBlur(crop, (0, 0), blur)
    ch, cw = crop.shape[:2]
    mask = np.zeros((ch, cw), np.float32)
    cv2.ellipse(mask, (cw // 2, ch // 2), (cw // 2 - 1, ch // 2 - 1), 0, 0, 360, 1.0, -1)
    mask = cv2.GaussianBlur(mask, (0, 0), max(1.0, cw / 12))[..., None]
    # The face centre in the crop lands on `centre`.
    fx, fy = (x + w / 2 - x0) * scale, (y + h / 2 - y0) * scale
    left, top = round(centre[0] - fx), round(centre[1] - fy)
    out = frame.astype(np.float32)
    fx0, fy0, fx1, fy1 = max(0, left), max(0, top), min(WIDTH, left + cw), min(HEIGHT, top + ch)
    if fx1 <= fx0 or fy1 <= fy0:
        return frame
    part = crop[fy0 - top:fy1 - top, fx0 - left:fx1 - left] * dim
    alpha = mask[fy0 - top:fy1 - top, fx0 - left:fx1 - left]
    out[fy0:fy1, fx0:fx1] = out[fy0:fy1, fx0:fx1] * (1 - alpha) + part * alpha
    return np.clip(out, 0, 255).astype(np.uint8)


def degrade(frame: np.ndarray, rng: np.random.Generator, gain: float = 1.0, noise: float = 0.0,
            blur: float = 0.0) -> np.ndarray:
    """Exposure `gain`, Gaussian sensor `noise` (sigma, in grey levels) and defocus `blur`."""
    out = frame.astype(np.float32) * gain
    if blur > 0:
        out = cv2.GaussianBlur(out, (0, 0), blur)
    if noise > 0:
        out += rng.normal(0, noise, out.shape).astype(np.float32)
    return np.clip(out, 0, 255).astype(np.uint8)


def turn_head(frame: np.ndarray, landmarks: np.ndarray, yaw: float, pitch: float) -> np.ndarray:
    """The frame with the face re-rendered turned by `yaw`/`pitch` degrees: the
    face-mesh triangles (468 points with depth) are rotated in 3D about the face's
    centre and texture-mapped back to front; where the face was, the picture is
    inpainted first. Hair, ears and neck stay as they were."""
    points = landmarks[:468].astype(np.float64)
    centre = points.mean(axis=0)
    rotated = (rotation_from_pose(HeadPose(yaw, pitch, 0.0)) @ (points - centre).T).T + centre
    from scipy.spatial import Delaunay

    triangles = Delaunay(points[:, :2]).simplices
    hull = cv2.convexHull(points[:, :2].astype(np.int32))
    mask = np.zeros(frame.shape[:2], np.uint8)
    cv2.fillConvexPoly(mask, hull, 255)
    mask = cv2.dilate(mask, np.ones((7, 7), np.uint8))
    out = cv2.inpaint(frame, mask, 7, cv2.INPAINT_TELEA)
    source = frame.astype(np.float32)
    canvas = out.astype(np.float32)
    order = np.argsort(-rotated[triangles][:, :, 2].mean(axis=1))  # farthest first
    for index in order:
        src = points[triangles[index], :2].astype(np.float32)
        dst = rotated[triangles[index], :2].astype(np.float32)
        if np.cross(src[1] - src[0], src[2] - src[0]) * np.cross(dst[1] - dst[0], dst[2] - dst[0]) <= 0:
            continue  # turned away from the camera
        x, y, w, h = cv2.boundingRect(dst)
        x0, y0 = max(0, x), max(0, y)
        x1, y1 = min(WIDTH, x + w + 1), min(HEIGHT, y + h + 1)
        if x1 <= x0 or y1 <= y0:
            continue
        matrix = cv2.getAffineTransform(src, dst - np.float32([x0, y0]))
        patch = cv2.warpAffine(source, matrix, (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_REFLECT)
        tri_mask = np.zeros((y1 - y0, x1 - x0), np.float32)
        cv2.fillConvexPoly(tri_mask, np.round(dst - [x0, y0]).astype(np.int32), 1.0, cv2.LINE_AA)
        tri_mask = tri_mask[..., None]
        canvas[y0:y1, x0:x1] = canvas[y0:y1, x0:x1] * (1 - tri_mask) + patch * tri_mask
    return np.clip(canvas, 0, 255).astype(np.uint8)


def tilt_picture(frame: np.ndarray, yaw: float, pitch: float = 0.0) -> np.ndarray:
    """The frame as a flat picture (a print or a phone screen) held before the camera
    and tilted by `yaw`/`pitch` degrees about its centre: the homography of a plane
    rotated in front of a camera of ~60 degrees field of view. The liveness step's
    photo attack."""
    height, width = frame.shape[:2]
    camera = np.array([[width, 0, width / 2], [0, width, height / 2], [0, 0, 1.0]])
    rotation = rotation_from_pose(HeadPose(yaw, pitch, 0.0))
    # The plane sits at depth 1 (camera units) facing the camera; rotate it about its centre.
    centre = np.array([[0.0], [0.0], [1.0]])
    normal = np.array([[0.0, 0.0, 1.0]])
    homography = camera @ (rotation + (np.eye(3) - rotation) @ centre @ normal) @ np.linalg.inv(camera)
    return cv2.warpPerspective(frame, homography, (width, height), borderMode=cv2.BORDER_REPLICATE)
