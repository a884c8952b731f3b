"""Garbled text (乱码): cells whose characters are not what the user typed, because somewhere the bytes were read in
the wrong encoding.

The usual case: a CSV saved in GBK with a few rows pasted in from a UTF-8 file. Such a file decodes without error as
GB18030 (almost any byte pair is a GB18030 character), and the UTF-8 rows come out as rare characters, kana and
private-use characters: ``做好测试违法建议`` reads ``鍋氬ソ娴嬭瘯杩濇硶寤鸿``. ``garbled`` tells such a cell by
what it is made of, never by a list of words:

- ``mixed-encoding``: the cell's GB18030 bytes are valid UTF-8 that reads as Chinese (genuine GBK text practically
  never is: none of the demo county's 2,835 distinct cells is), or its cp1252 bytes are (UTF-8 read as Western
  European: ``åŽ¿`` for ``县``). The message gives the text as it was meant;
- ``private-use-character``: a character of a private-use area (GB18030 maps its user-defined byte pairs there; no
  list means one), or an unassigned code point;
- ``replacement-character``: U+FFFD, the mark a program leaves where it could not decode a byte: the text was damaged
  before it reached this file; C1 control characters (U+0080–U+009F), which no typed text holds;
- ``garbled-text``: text charset-normalizer's mess detector finds very messy, made mostly of rare characters.

Each is an error by default (``read_sheets(..., garbled="warning")`` keeps the cell and warns).
"""

from __future__ import annotations

import re
import unicodedata

from charset_normalizer.md import mess_ratio

_CJK = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3134F))


def _is_ideograph(ch: str) -> bool:
    code = ord(ch)
    return any(lo <= code <= hi for lo, hi in _CJK)


def _reads_as_chinese(text: str) -> bool:
    """Text a person could have typed in a Chinese list: at least two ideographs, and besides ASCII only ideographs,
    CJK punctuation and full-width forms."""
    ideographs = 0
    for ch in text:
        code = ord(ch)
        if code < 0x80:
            continue
        if _is_ideograph(ch):
            ideographs += 1
        elif not (0x3000 <= code <= 0x303F or 0xFF00 <= code <= 0xFFEF or 0x2010 <= code <= 0x2027):
            return False
    return ideographs >= 2


def _common_share(text: str) -> float:
    """The share of non-ASCII characters that are GB2312 level-1 hanzi (the 3,755 common ones) or CJK punctuation:
    near 1 in any real list, low in garbled text, whose characters come from all over the table."""
    total = common = 0
    for ch in text:
        if ord(ch) < 0x80:
            continue
        total += 1
        try:
            lead = ch.encode("gb2312")[0]
        except UnicodeEncodeError:
            continue
        if lead <= 0xD7:  # A1–A9 punctuation and symbols, B0–D7 level-1 hanzi
            common += 1
    return common / total if total else 1.0


# UTF-8 lead bytes read as Latin-1/cp1252 characters: only text garbled that way (åŽ¿ for 县) holds them next to others
_LATIN_LEAD = re.compile("[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6"
                         "\u02dc\u2013-\u2122]")
# private use, C1 controls, the replacement character
_DAMAGED = re.compile("[\u0080-\u009f\ue000-\uf8ff\ufffd\U000f0000-\U0010ffff]")
# characters outside ASCII, CJK punctuation, the unified ideographs and the full-width forms: looked at one by one
_UNUSUAL = re.compile("[^\u0000-\u007f\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def meant(text: str) -> str | None:
    """The text as it was typed when ``text`` is UTF-8 bytes read in another encoding (GB18030, cp1252, Latin-1), else
    None."""
    for encoding in ("gb18030", "cp1252", "latin-1"):
        if encoding != "gb18030" and not _LATIN_LEAD.search(text):
            break
        try:
            raw = text.encode(encoding)
        except UnicodeEncodeError:
            continue
        if raw.isascii():
            return None
        try:
            decoded = raw.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if decoded != text and _reads_as_chinese(decoded) and _common_share(decoded) >= _common_share(text):
            return decoded
    return None


def garbled(text: str) -> tuple[str, str, str] | None:
    """(code, Chinese message, English message) when the text is garbled, else None. ``text`` is a cleaned cell.
    Plain Chinese text costs two C-level string operations; only unusual characters are looked at one by one."""
    if text.isascii():
        return None
    intended = meant(text)
    if intended is not None:
        return ("mixed-encoding",
                f"乱码：这段文字是按其他编码读出的 UTF-8 文字，原文应为「{intended}」。文件中混有两种编码时，"
                "请把整个文件统一另存为一种编码（如 Excel 的“CSV UTF-8”）",
                f"garbled text: UTF-8 read in another encoding; it was meant to read {intended!r}. Where a file mixes "
                "two encodings, save all of it in one (Excel's \"CSV UTF-8\")")
    unusual = _UNUSUAL.findall(text)
    if not unusual:
        return None
    damaged = _DAMAGED.search(text)
    if damaged and (0xE000 <= ord(damaged.group()) <= 0xF8FF or ord(damaged.group()) >= 0xF0000):
        code = ord(damaged.group())
        return ("private-use-character",
                f"乱码：含有私用区字符 U+{code:04X}（通常是编码错误所致）",
                f"garbled text: holds the private-use character U+{code:04X} (usually a wrong encoding)")
    if damaged:
        code = ord(damaged.group())
        return ("replacement-character",
                f"乱码：含有字符 U+{code:04X}，说明文字在此前的转换中已经损坏，请从原始文件重新导出",
                f"garbled text: holds U+{code:04X}, a sign the text was damaged by an earlier conversion; export it "
                "again from the original")
    for ch in unusual:
        code = ord(ch)
        if unicodedata.category(ch) == "Cn" and not 0x20000 <= code <= 0x3FFFF:
            return ("private-use-character",
                    f"乱码：含有未分配的字符 U+{code:04X}（通常是编码错误所致）",
                    f"garbled text: holds the unassigned character U+{code:04X} (usually a wrong encoding)")
    non_ascii = sum(1 for ch in text if ord(ch) >= 0x80)
    if non_ascii >= 4 and _common_share(text) < 0.5 and mess_ratio(text, maximum_threshold=1.0) >= 0.6:
        return ("garbled-text", "乱码：文字由大量生僻字和符号组成，像是编码错误所致，请核对原文",
                "garbled text: made mostly of rare characters and symbols, as a wrong encoding makes it; check the "
                "original")
    return None
