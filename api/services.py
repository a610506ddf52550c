"""API tokens: Managers make one for an integration user, and revoke it."""

import secrets

from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api.models import ApiToken

# The groups an integration user may be given: the same two as people.
ROLES = ("Staff", "Managers")


def _token_refusal(user: User, by: User) -> ValidationError | None:
    if user.is_superuser and not by.is_superuser:
        # A Manager must not gain a superuser's powers through that user's token.
        return ValidationError(
            _("Only a superuser may make a token for a superuser."), code="superuser_token"
        )
    if not user.is_active:
        return ValidationError(_("%(user)s is inactive.") % {"user": user}, code="user_inactive")
    return None


@transaction.atomic
def api_token_create(*, user: User, created_by: User) -> tuple[ApiToken, str]:
    """Give `user` a new token, replacing any they had; returns it and its key (shown once)."""
    refusal = _token_refusal(user, created_by)
    if refusal:
        raise refusal
    # Two new keys for one user at once: the second waits here for the first's
    # commit, then replaces its token, instead of failing on the one-token rule.
    User.objects.select_for_update().get(pk=user.pk)
    ApiToken.objects.filter(user=user).delete()
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        key_digest=ApiToken.digest(key),
        prefix=key[:8],
        created_at=timezone.now(),
        created_by=created_by,
    )
    return token, key


@transaction.atomic
def integration_user_create(*, username: str, role: str, created_by: User) -> tuple[ApiToken, str]:
    """Add a user for a till, web shop or script, in `role`'s group, with a token.

    The user has no password, so it cannot sign in to the pages: it acts only
    through the API, with its group's permissions.
    """
    if role not in ROLES:
        message = _("Choose Staff or Managers.")
        raise ValidationError({"role": ValidationError(message, code="invalid")})
    # Normalised first (NFKC, as Django stores it), so the case-blind check below
    # sees the name that will be saved: "ＴＩＬＬ-1" is "TILL-1", taken by "till-1".
    username = User.normalize_username(username.strip())
    message = _("A user with this name already exists.")
    taken = ValidationError({"username": ValidationError(message, code="name_taken")})
    if User.objects.filter(username__iexact=username).exists():
        raise taken
    user = User(username=username, first_name=_("Integration"))
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise taken from None
    user.groups.add(Group.objects.get(name=role))
    return api_token_create(user=user, created_by=created_by)


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> None:
    """Revoke a token at once: the next call with its key is answered 401."""
    ApiToken.objects.filter(pk=token.pk).delete()
