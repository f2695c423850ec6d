"""The audit tests write checkpoints to a directory of their own, and sign nothing (the seal signer is tested
through the demo CA in ``signing/tests/test_audit_checkpoints.py``)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def checkpoint_dir(settings, tmp_path):
    settings.AUDIT_CHECKPOINT_DIR = str(tmp_path / "audit-checkpoints")
    settings.AUDIT_CHECKPOINT_SIGNER = ""
    return tmp_path / "audit-checkpoints"
