from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from inventory.models import Outlet


@pytest.mark.django_db
def test_seed_demo_can_run_twice_without_adding_anything_twice():
    call_command("seed_demo", stdout=StringIO())
    counts = (User.objects.count(), Outlet.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert (User.objects.count(), Outlet.objects.count()) == counts
    manager = User.objects.get(username="manager")
    assert manager.check_password("manager")
    assert manager.has_perm("catalog.change_product")
