"""Text normalisation shared by every part of quanze: widths, brackets, spaces.

Real lists mix full-width and half-width characters, brackets of four kinds and stray spaces; names are compared
after this normalisation so that `（一）` and `(一)`, `ＡＢ１` and `AB1` are the same text.
"""

from __future__ import annotations

import re
import unicodedata

_BRACKETS = str.maketrans({"（": "(", "）": ")", "【": "(", "】": ")", "[": "(", "]": ")", "〔": "(", "〕": ")",
                           "［": "(", "］": ")", "｛": "(", "｝": ")", "{": "(", "}": ")", "〈": "(", "〉": ")",
                           "《": "《", "》": "》"})
_SPACE = re.compile(r"\s+")


def halfwidth(text: str) -> str:
    """Full-width ASCII (letters, digits, punctuation, the ideographic space) to half-width; CJK untouched."""
    out = []
    for ch in text:
        code = ord(ch)
        if code == 0x3000 or ch == "\u00a0":
            out.append(" ")
        elif 0xFF01 <= code <= 0xFF5E:
            out.append(chr(code - 0xFEE0))
        else:
            out.append(ch)
    return "".join(out)


def normalise_key(text: str | None) -> str:
    """The form names are compared in: half-width, brackets unified to ASCII (), no whitespace, case-folded."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", halfwidth(str(text)))
    text = text.translate(_BRACKETS)
    return _SPACE.sub("", text).casefold()


def clean_spaces(text: str) -> str:
    """Collapse runs of whitespace (incl. non-breaking and ideographic spaces) and strip."""
    return _SPACE.sub(" ", halfwidth_spaces(text)).strip()


def halfwidth_spaces(text: str) -> str:
    return text.replace("\u3000", " ").replace("\u00a0", " ")
