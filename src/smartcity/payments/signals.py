"""What the payments app tells the apps above it without importing them.

``payment_succeeded`` is sent once per payment, after the transaction that recorded the gateway's confirmation has
committed, with ``sender=Payment`` and the keyword arguments ``payment`` (the ``Payment``), ``reference``, ``stage``
and ``amount``. Receivers run in their own transaction; an exception in one is logged and does not undo the payment
(it is the receiver's job to be idempotent and robust).
"""

from __future__ import annotations

from django.dispatch import Signal

payment_succeeded = Signal()
