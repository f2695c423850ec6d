"""The development OpenID Connect provider (stands in for VNeID): claims come from the population registry."""

from __future__ import annotations

from oauth2_provider.oauth2_validators import OAuth2Validator


class ClaimsValidator(OAuth2Validator):
    pass
