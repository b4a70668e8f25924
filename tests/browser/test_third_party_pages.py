"""The API docs and the admin work under their Content-Security-Policy."""

import pytest

from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_api_docs_render_without_inline_script(new_page):
    page = new_page(path="/api/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=10000)
    assert page.locator(".opblock-summary-path", has_text="/api/chat").count() >= 1


def test_admin_login_and_review(new_page, live_server):
    admin = UserFactory(username="reviewer", is_staff=True, is_superuser=True)
    admin.set_password("a-long-test-password")
    admin.save()
    page = new_page(path="/admin/")
    page.fill("#id_username", "reviewer")
    page.fill("#id_password", "a-long-test-password")
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")
    page.goto("/admin/chat/conversation/")
    assert page.locator("#changelist").count() == 1
