"""The visible stamp of a signature: signer, agency and time, in Vietnamese, set in Roboto embedded in the PDF.

pyHanko shapes stamp text with HarfBuzz and embeds a subset of an OpenType font (``GlyphAccumulatorFactory``). Two
things make us prepare the font once per process instead of handing pyHanko Roboto's file:

* pyHanko writes the glyph widths (``/W``) in the font's own units, while PDF wants thousandths of an em; Roboto has
  2048 units per em, so every glyph would be drawn about twice as far apart. We rescale the font to 1000 units per
  em (``fontTools.ttLib.scaleUpem``), which makes the two agree.
* Subsetting the full Roboto (3,000+ glyphs with large layout tables) for each signature costs ~0.7 s; we subset it
  once to Latin and the Vietnamese alphabet (precomposed letters, so text is NFC-normalised, and no layout tables:
  no kerning in the stamp), ~20 kB.

Text with a character outside that set falls back to the full (rescaled) font, so nothing is ever drawn as a box.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass
from functools import cache

from fontTools import subset, ttLib
from fontTools.ttLib.scaleUpem import scale_upem
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.stamp import TextStampStyle

from smartcity.lib.fonts import ROBOTO

_VIETNAMESE = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxy"
    "àằầèềìòồờùừỳáắấéếíóốớúứýảẳẩẻểỉỏổởủửỷãẵẫẽễĩõỗỡũữỹạặậẹệịọộợụựỵ"
    "fjwz"
)
COVERED = frozenset(_VIETNAMESE + _VIETNAMESE.upper() + "".join(map(chr, range(0x20, 0x7F))) + "–—…°“”‘’·•№\n")


@cache
def _font_bytes(subset_to_vietnamese: bool) -> bytes:
    font = ttLib.TTFont(str(ROBOTO))
    if subset_to_vietnamese:
        options = subset.Options()
        # No OpenType layout tables: every Vietnamese letter has a precomposed glyph (text is NFC), and pyHanko
        # drops them from the embedded subset anyway; reading them back cost ~40 ms a signature.
        options.drop_tables += ["GSUB", "GPOS", "GDEF"]
        options.layout_features = []
        options.name_IDs = ["*"]
        options.notdef_outline = True
        subsetter = subset.Subsetter(options=options)
        subsetter.populate(unicodes=[ord(ch) for ch in COVERED if ch != "\n"])
        subsetter.subset(font)
    scale_upem(font, 1000)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class _Roboto(GlyphAccumulatorFactory):
    """``GlyphAccumulatorFactory`` over the prepared Roboto held in memory rather than a file on disk."""

    full: bool = False

    def create_font_engine(self, writer, obj_stream=None) -> GlyphAccumulator:
        if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
            obj_stream = writer.prepare_object_stream()
        return GlyphAccumulator(writer=writer, font_handle=io.BytesIO(_font_bytes(not self.full)),
                                font_size=self.font_size, obj_stream=obj_stream, bcp47_lang_code="vi")


def normalise(text: str) -> str:
    """One line of stamp text: NFC (precomposed Vietnamese letters), whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFC", text or "").split())


@cache
def _style(full: bool, font_size: int) -> TextStampStyle:
    return TextStampStyle(
        stamp_text="%(lines)s",
        text_box_style=TextBoxStyle(font=_Roboto(font_file=str(ROBOTO), font_size=font_size, full=full),
                                    font_size=font_size, leading=font_size + 3),
        border_width=1,
    )


def style_for(lines: list[str], font_size: int = 8) -> tuple[TextStampStyle, dict[str, str]]:
    """The stamp style and its text parameters for ``lines`` (already normalised)."""
    text = "\n".join(lines)
    return _style(not set(text) <= COVERED, font_size), {"lines": text}
