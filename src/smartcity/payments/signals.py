"""What the payments app tells the apps above it without importing them.

``payment_succeeded`` is sent after the transaction that recorded the gateway's confirmation has committed, with
``sender=Payment`` and the keyword arguments ``payment`` (the ``Payment``), ``reference``, ``stage`` and ``amount``.
Receivers run in their own transaction; an exception in one is logged and does not undo the payment. Until every
receiver has taken it, the payment stays unannounced and ``smartcity payments announce`` (run every few minutes)
sends it again — so a receiver may hear of the same payment more than once and must be idempotent.
"""

from __future__ import annotations

from django.dispatch import Signal

payment_succeeded = Signal()
