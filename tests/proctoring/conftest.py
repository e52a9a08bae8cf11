"""Fixtures for the proctoring tests: the app with proctoring required (fake vision,
analysis inline) and an applicant whose supervised exam is running.

This folder has no __init__.py on purpose: it would make it a package named
`proctoring` that shadows the application's. Helpers live in proctor_helpers.py.
"""
import pytest
from proctor_helpers import Exam, pass_check

from core.extensions import db


@pytest.fixture
def proctored(app):
    """The app with PROCTORING_REQUIRED on (the suite's default is off)."""
    app.config.update(PROCTORING_REQUIRED=True, PROCTOR_ANALYZER="fake", PROCTOR_SYNC_ANALYSIS=True)
    return app


@pytest.fixture
def exam(proctored, bank, applicant, applicant_api, clock) -> Exam:
    """A running supervised attempt whose camera check passed with the default fake face."""
    pass_check(applicant_api, applicant.application_id)
    started = applicant_api.start(applicant.application_id)
    assert started.status_code == 201, started.get_json()
    return Exam(applicant_api, started.get_json()["id"], clock)


@pytest.fixture
def rows(app):
    """`rows(Model, **filters)`: the model's rows (a short app context of its own)."""
    def read(model, **filters):
        with app.app_context():
            return db.session.scalars(db.select(model).filter_by(**filters)).all()

    return read
