from playwright.sync_api import expect

from inventory.models import Outlet
from tests.factories import UserFactory


def test_a_manager_adds_an_outlet_from_the_menu(page, log_in):
    UserFactory(username="mia", groups=["Managers"])
    log_in("mia")
    page.get_by_role("button", name="Inventory").click()
    page.get_by_role("link", name="Outlets").click()
    page.get_by_role("button", name="Add outlet").click()
    expect(page.get_by_role("heading", name="Add outlet")).to_be_visible()
    page.get_by_label("Name").fill("Harbour Mall")
    page.get_by_label("Address").fill("Unit 4, Harbour Mall")
    page.get_by_role("button", name="Add outlet").click()
    expect(page.get_by_text("Outlet “Harbour Mall” added.")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Harbour Mall")).to_have_count(1)
    assert Outlet.objects.get().address == "Unit 4, Harbour Mall"
