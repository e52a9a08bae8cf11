"""Review settings, read from the environment. The blueprint puts them into the app's
config when it is registered, without replacing values the app was created with."""
import os


def review_config() -> dict:
    env = os.environ.get
    return {
        # Auto-clear a submitted attempt whose risk score is below this and that has no
        # high-severity flag (and no frame still waiting for analysis). 0 turns it off.
        "REVIEW_AUTO_CLEAR_BELOW": int(env("REVIEW_AUTO_CLEAR_BELOW", 10)),
        # Opening a session claims it for this long; others then need an explicit override.
        "REVIEW_CLAIM_MINUTES": int(env("REVIEW_CLAIM_MINUTES", 15)),
        "REVIEW_PAGE_SIZE": int(env("REVIEW_PAGE_SIZE", 25)),
        "AUDIT_PAGE_SIZE": int(env("AUDIT_PAGE_SIZE", 50)),
    }
