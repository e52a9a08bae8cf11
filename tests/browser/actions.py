"""Steps that several browser tests take."""
import re

from playwright.sync_api import expect


def sign_in(page, base_url: str, email: str, password: str) -> None:
    """Sign in through the real login form and wait until it has let us in."""
    page.goto(f"{base_url}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.locator("main button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/login"))
