"""Text normalisation shared by every part of quanze: widths, spaces, line breaks, brackets, lists of names.

Real lists mix full-width and half-width characters, brackets of four kinds, stray and non-breaking spaces, and names
wrapped over lines inside a cell. ``clean_text`` gives the text as the user meant it (brackets and Chinese punctuation
kept, so output reads naturally); ``normalise_key`` gives the form names are compared in and ids are built from.

Unicode normalisation, NFKC-style but not NFKC: ``clean_text`` applies NFC (canonical composition: a CJK compatibility
ideograph such as U+F900 becomes its unified ideograph), maps the Kangxi and CJK radicals that text copied out of PDFs
carries (``⾏`` U+2F8F) to the ideographs they look like, full-width letters and digits to ASCII and every kind of space
to a plain space, exactly as NFKC would. It does not apply the rest of NFKC on purpose: NFKC would turn ``（`` into
``(``, ``，`` into ``,`` and ``①`` into ``1``, changing how Chinese text reads; ``normalise_key`` unifies those for
comparison instead. Invisible characters — zero-width characters, bidirectional controls (U+200B–U+200F,
U+202A–U+202E, U+2066–U+2069, U+061C), the BOM U+FEFF, the word joiner and the soft hyphen — are removed
(``strip_invisible``), so that ``城\\u200b关镇`` reads ``城关镇`` and a U+202E that reverses what a reader sees never
reaches the store; queries are stripped by the same function (``api/inputs.py``, through ``clean_text``).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

# Full-width letters and digits (Ａ-Ｚ, ａ-ｚ, ０-９) to ASCII, and every kind of space to a plain space. Punctuation
# is left alone on purpose: 、，；。（） are how Chinese text is written, and output should read as the user wrote it.
_WIDTH = {c: c - 0xFEE0 for r in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A)) for c in range(r[0], r[1] + 1)}
_WIDTH.update({c: 0x20 for c in (0x3000, 0x00A0, 0x2007, 0x202F, 0x205F, 0x1680, *range(0x2000, 0x200B))})
# Invisible characters: zero-width characters, bidirectional controls (which can make a name display reversed), the
# BOM, the word joiner, the soft hyphen. They make two names that look the same differ, so they are removed everywhere.
INVISIBLE = frozenset((*range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x061C, 0xFEFF,
                       0x2060, 0x00AD, 0x180E))
_INVISIBLE_TABLE = str.maketrans({c: None for c in INVISIBLE})
_WIDTH.update({c: None for c in INVISIBLE})
# Kangxi radicals and CJK radicals (from text copied out of PDFs: ⾏政许可) → the ideographs they stand for, as NFKC does
_WIDTH.update({c: unicodedata.normalize("NFKC", chr(c)) for c in (*range(0x2E80, 0x2EFF), *range(0x2F00, 0x2FE0))
               if unicodedata.normalize("NFKC", chr(c)) != chr(c)})
_WIDTH_TABLE = str.maketrans(_WIDTH)


def strip_invisible(text: str) -> str:
    """The text without zero-width characters and bidirectional controls (see ``INVISIBLE``): what cell text, names
    and search queries all go through, so that ``城\\u200b关镇`` is ``城关镇`` wherever it is typed or read."""
    return text.translate(_INVISIBLE_TABLE)


_BRACKETS = str.maketrans({"（": "(", "）": ")", "【": "(", "】": ")", "[": "(", "]": ")", "〔": "(", "〕": ")",
                           "［": "(", "］": ")", "｛": "(", "｝": ")", "{": "(", "}": ")", "〈": "(", "〉": ")"})
_LINE_BREAK = re.compile(r"\r\n|[\r\n\v\f\u2028\u2029\x85]|_x000[dD]_")
_SPACES = re.compile(r"[ \t]+")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def _is_cjk(ch: str) -> bool:
    """CJK ideographs, CJK punctuation and full-width forms: text that is written without spaces between words."""
    code = ord(ch)
    return (0x3000 <= code <= 0x303F or 0x3400 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF
            or 0xFF00 <= code <= 0xFFEF or 0x20000 <= code <= 0x3134F)


def _excel_number(value: float) -> str:
    """Whole numbers as integers (Excel stores every number as a float: 3.0 is the 3 the user typed); others with
    Excel's own 15 significant digits, so 0.1+0.2 reads 0.3 as it did on screen."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return format(value, ".15g")


def clean_text(value: Any) -> str | None:
    """The text of one cell as the user meant it, or None for an empty cell.

    Full-width letters and digits become ASCII, every kind of space (non-breaking, ideographic 全角空格) a plain space,
    runs of spaces one space, and the ends are stripped; invisible characters (zero-width, bidirectional controls) are
    removed and the text is NFC-normalised (see the module's notes on normalisation). A name wrapped over lines inside
    the cell (Alt+Enter) is joined: without a break between two CJK characters (`住房和城乡\\n建设局` →
    `住房和城乡建设局`), with a space otherwise. Brackets and Chinese punctuation are kept as written. Excel numbers
    3.0 → "3", dates → ISO `YYYY-MM-DD`.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        text = "TRUE" if value else "FALSE"
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        text = _excel_number(value)
    elif isinstance(value, dt.datetime):
        text = value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ", timespec="seconds")
    elif isinstance(value, (dt.date, dt.time)):
        text = value.isoformat()
    else:
        text = str(value)
    text = _CONTROL.sub("", text.translate(_WIDTH_TABLE))
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    lines = [_SPACES.sub(" ", line).strip() for line in _LINE_BREAK.split(text)]
    joined = ""
    for line in filter(None, lines):
        if joined:
            joined += "" if _is_cjk(joined[-1]) and _is_cjk(line[0]) else " "
        joined += line
    return joined or None


def normalise_key(text: Any) -> str:
    """The form header words and names are compared in (and ids built from): widths unified (all full-width ASCII,
    punctuation included), brackets of every kind → ASCII (), all whitespace removed, case-folded."""
    cleaned = clean_text(text)
    if not cleaned:
        return ""
    out = "".join(chr(ord(c) - 0xFEE0) if 0xFF01 <= ord(c) <= 0xFF5E else c for c in cleaned)
    out = unicodedata.normalize("NFC", out).translate(_BRACKETS)
    return re.sub(r"\s+", "", out).casefold()


_OPEN, _CLOSE = "(（【[〔", ")）】]〕"
_NAME_SEPARATORS = set("、，,；;/／") | {" ", "\t", "\n", "\r", "\u3000", "\u00a0"}


def split_names(text: str | None) -> list[str]:
    """Split a cell that lists several names (`温泉镇、城关镇；石门乡`) on 、，,；; / whitespace and line breaks.

    Separators inside brackets do not split, so `社会事务办公室(民政办公室、应急管理办公室)` stays one name.
    """
    if not text:
        return []
    names, current, depth = [], [], 0
    for ch in text:
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(depth - 1, 0)
        if ch in _NAME_SEPARATORS and depth == 0:
            names.append("".join(current))
            current = []
        else:
            current.append(ch)
    names.append("".join(current))
    return [n for n in (clean_text(name) for name in names) if n]
