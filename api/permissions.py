"""Each API action needs the Django permissions its page needs (roles/permissions.py)."""

from rest_framework.permissions import BasePermission


class ActionPermissions(BasePermission):
    """Allow an action when the user holds every permission the view lists for it.

    A view lists them in `action_permissions`, by viewset action (`list`,
    `transfer`) or, for a plain APIView, by lower-case HTTP method. An action it
    does not list is refused: a new endpoint without permissions fails closed.
    """

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        method = request.method.lower()
        if method == "options":
            return True  # It describes the endpoint; the methods it offers are checked below.
        action: str | None = getattr(view, "action", None)
        if action is None or action == "metadata":
            # A plain view's methods (HEAD is its GET); also OPTIONS asking
            # whether this user may POST.
            mapped: str | None = getattr(view, "action_map", {}).get(method)
            action = mapped or ("get" if method == "head" else method)
        if not hasattr(view, action):
            return True  # No such action here: the view answers 405 Method Not Allowed.
        needed = getattr(view, "action_permissions", {}).get(action)
        if needed is None:
            return False
        if isinstance(needed, str):
            needed = (needed,)
        return request.user.has_perms(needed)


# The API's root, schema and docs describe data that needs a role to read: the
# permission both groups hold, so a signed-in user in no group reads none of them.
API_READ = "inventory.view_serialrecord"


class ReadsTheApi(BasePermission):
    """Allow a signed-in user who may view serial numbers (Staff, Managers)."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm(API_READ))
