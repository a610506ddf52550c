"""Users' passwords hashed with a fast hasher in every test (tests/conftest.py uses it).

The factories give every user a password and the log-in pages check it; the
default hasher spends most of a test's time on that by design. No test here
asserts how a password is stored (tests/test_seed_demo.py checks one still
works). Servers a test starts in a subprocess keep the real hasher.
"""

import pytest
from django.test import override_settings


@pytest.fixture(autouse=True, scope="session")
def fast_password_hashing():
    # override_settings sends setting_changed, which clears the hashers' cache.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield
