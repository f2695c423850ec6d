"""Sign-in: citizens through OpenID Connect (VNeID or the bundled development provider), staff with TOTP."""
