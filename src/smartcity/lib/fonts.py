"""The platform's one typeface: Roboto from the ``font-roboto`` package, which covers every Vietnamese letter, so no
system font is needed anywhere (a fresh machine has none that does).

``ROBOTO`` is the regular face's file, for tools that embed a font themselves (pyHanko's signature stamp);
``register()`` makes the regular, bold and italic faces known to reportlab under ``REGULAR``, ``BOLD`` and
``ITALIC`` (the PDF kit calls it when imported; code drawing on a reportlab canvas calls it first).
"""

from __future__ import annotations

from pathlib import Path

import font_roboto

FONT_DIR = Path(font_roboto.__file__).parent / "files"
ROBOTO = FONT_DIR / "Roboto-Regular.ttf"
REGULAR, BOLD, ITALIC = "Roboto", "Roboto-Bold", "Roboto-Italic"
FACES = {REGULAR: ROBOTO, BOLD: FONT_DIR / "Roboto-Bold.ttf", ITALIC: FONT_DIR / "Roboto-Italic.ttf"}


def register() -> None:
    """Register the three faces with reportlab, once per process (later calls only check)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    registered = pdfmetrics.getRegisteredFontNames()
    for name, path in FACES.items():
        if name not in registered:
            pdfmetrics.registerFont(TTFont(name, str(path)))
