"""A logging filter that masks 12-digit personal ID numbers (and 9-digit legacy ID cards) in log records.

The audit log is where personal-data access is recorded; application logs must never carry ID numbers
(Decree 13/2023/NĐ-CP on personal data protection). The filter formats the record once and masks the result.
"""

from __future__ import annotations

import logging
import re

_ID_NUMBER = re.compile(r"(?<![0-9])([0-9]{3})[0-9]{6}([0-9]{3})(?![0-9])|(?<![0-9])[0-9]{9}(?![0-9])")


def mask_id_numbers(text: str) -> str:
    def _mask(match: re.Match[str]) -> str:
        if match.group(1):
            return f"{match.group(1)}******{match.group(2)}"
        return "*********"

    return _ID_NUMBER.sub(_mask, text)


class RedactFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_id_numbers(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
