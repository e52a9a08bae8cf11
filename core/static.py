"""Static files that browsers and CDNs may keep: `url_for("static", ...)` adds the
file's content hash (`?v=...`), and a request carrying it is answered with a year-long,
immutable Cache-Control (a new version of the file is a new URL). A URL without the
version (an image named in a stylesheet) is kept for SEND_FILE_MAX_AGE_DEFAULT seconds."""
import hashlib
from pathlib import Path

from flask import Flask, request

YEAR = 365 * 24 * 3600


def configure_static(app: Flask) -> None:
    folder = Path(app.static_folder)
    versions: dict[tuple[str, float], str] = {}

    def version_of(filename: str) -> str | None:
        path = (folder / filename).resolve()
        if folder.resolve() not in path.parents or not path.is_file():
            return None
        key = (filename, path.stat().st_mtime)
        if key not in versions:
            versions[key] = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        return versions[key]

    @app.url_defaults
    def add_static_version(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "v" not in values and values.get("filename"):
            version = version_of(values["filename"])
            if version is not None:
                values["v"] = version

    @app.after_request
    def cache_versioned_static(response):
        if request.endpoint == "static" and request.args.get("v") and response.status_code in (200, 304):
            response.cache_control.public = True
            response.cache_control.max_age = YEAR
            response.cache_control.immutable = True
        return response
