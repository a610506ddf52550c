"""The admin: read-only serials, searched by their key."""

import pytest

from tests.factories import SerialRecordFactory

pytestmark = pytest.mark.django_db


def test_the_admins_serial_search_compares_keys(admin_client):
    SerialRecordFactory(serial="full-1")
    SerialRecordFactory(serial="OTHER-9")
    response = admin_client.get("/admin/inventory/serialrecord/", {"q": "ＦＵＬＬ－１"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "full-1" in html
    assert "OTHER-9" not in html
