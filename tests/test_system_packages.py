"""tools/system-packages.sh, which `make run` and `make test` call first: nothing to do
when the packages are there; without root or sudo it stops at once with the exact
command to run. (Stub `dpkg-query` and `id` on the PATH play the system.)"""
import stat
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "tools" / "system-packages.sh"


def stub(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


def run(tmp_path, installed: set[str], *packages: str):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    stub(bin_dir, "dpkg", "exit 0")
    known = " ".join(installed)
    stub(bin_dir, "dpkg-query", f'for p in {known}; do [ "$3" = "$p" ] && echo "install ok installed" && exit 0; done; exit 1')
    stub(bin_dir, "id", "echo 1000")  # not root
    stub(bin_dir, "sudo", "exit 1")  # and no password-less sudo
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path)}
    return subprocess.run(["/bin/sh", str(SCRIPT), *packages], capture_output=True, text=True, env=env, timeout=30)


def test_nothing_to_do_when_everything_is_installed(tmp_path):
    done = run(tmp_path, {"chromium", "libgl1"}, "chromium", "libgl1")
    assert done.returncode == 0 and done.stdout == done.stderr == ""


def test_without_root_it_stops_with_the_command_to_run(tmp_path):
    done = run(tmp_path, {"libgl1"}, "chromium", "libgl1", "fonts-dejavu-core")
    assert done.returncode == 1
    assert "sudo apt-get install -y --no-install-recommends chromium fonts-dejavu-core" in done.stderr
