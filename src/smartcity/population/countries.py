"""Countries for nationality (quốc tịch): the ISO 3166-1 alpha-2 codes and their Vietnamese names, from ICU's CLDR
data (PyICU is already a dependency, for ``lib.collation``), so no name is typed here. The registry keeps the code
(``Citizen.nationality``: ``VN``); people read and pick the name ("Việt Nam")."""

from __future__ import annotations

from functools import cache

import icu

from smartcity.lib import collation

VIET_NAM = "VN"
#: Codes ICU knows that are not ISO 3166-1 countries (CLDR's extra regions: Ascension, Clipperton, Diego Garcia,
#: Ceuta and Melilla, the Canary Islands, Sark, Tristan da Cunha, and the user-assigned XK).
_NOT_ISO = frozenset({"AC", "CP", "CQ", "DG", "EA", "IC", "TA", "XK"})


@cache
def names() -> dict[str, str]:
    """``{code: Vietnamese name}`` for every ISO 3166-1 country."""
    vietnamese = icu.Locale("vi")
    return {code: icu.Locale(f"und_{code}").getDisplayCountry(vietnamese)
            for code in icu.Locale.getISOCountries() if code not in _NOT_ISO}


def name(code: str) -> str:
    """The Vietnamese name of ``code`` ("VN" → "Việt Nam"); the code itself when unknown."""
    return names().get((code or "").upper(), code)


@cache
def choices() -> tuple[tuple[str, str], ...]:
    """``(name, name)`` pairs for a form's choice (the form keeps the word), Việt Nam first, then the rest in
    Vietnamese alphabetical order."""
    rest = collation.sort((n for c, n in names().items() if c != VIET_NAM))
    return tuple((n, n) for n in [names()[VIET_NAM], *rest])
