"""Who is acting: the one type the services take for the signed-in account, and the two questions asked of it.

The account model (``identity.User``) lives above the platform apps that need to know who acts (agencies,
population, audit, signing), so they cannot import it. They type the caller as ``Principal`` — the attributes a
service really reads — and ask ``is_staff(user)`` or ``is_citizen(user)`` rather than compare ``kind`` strings.

A request from a visitor who has not signed in carries Django's ``AnonymousUser``, which has no ``kind`` and no
``person_id``: the helpers answer False for it, and a service reads ``person_id`` as
``getattr(user, "person_id", None)``.
"""

from __future__ import annotations

from typing import Any, Protocol

# The account kinds of ``identity.User.Kind`` that services ask about (a test keeps the two in step).
STAFF = "staff"
CITIZEN = "citizen"


class Principal(Protocol):
    """The signed-in account as the services see it (``identity.User`` satisfies it)."""

    pk: Any
    username: str
    kind: str  # "citizen", "staff" (cán bộ, công chức) or "idp" (the test identity provider's side)
    person_id: int | None  # the citizen's population record, for a citizen account
    is_staff: bool  # Django's back-office flag, not the same as the staff kind: ask ``is_staff(user)`` for that
    is_superuser: bool

    @property
    def is_authenticated(self) -> bool: ...

    def get_full_name(self) -> str: ...


def is_staff(user: object) -> bool:
    """A signed-in government officer (account kind "staff"), whatever Django's back-office flag says."""
    return bool(getattr(user, "is_authenticated", False)) and getattr(user, "kind", None) == STAFF


def is_citizen(user: object) -> bool:
    """A signed-in citizen (account kind "citizen"); their population record is ``user.person_id``."""
    return bool(getattr(user, "is_authenticated", False)) and getattr(user, "kind", None) == CITIZEN
