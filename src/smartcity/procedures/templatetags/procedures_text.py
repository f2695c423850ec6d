"""``{{ procedure|shown:"name" }}``: a catalogue text in the reader's language (``Procedure.in_language``), with
``.fallback`` set when the page is in English and the city gave no English for it."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from smartcity.procedures.models import Shown
from smartcity.procedures.models import shown as _shown

register = template.Library()


@register.filter
def shown(obj, attribute: str) -> Shown:
    return _shown(obj, attribute, get_language())
