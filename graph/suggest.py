"""Name suggestions ("did you mean …") from an index, never by comparing the text with every name.

``NameIndex`` holds names under their character bigrams (single characters for names of one). The nearest names to a
text are found by counting, for the text's bigrams — rarest first, and only until ``WORK`` postings have been read —
how many each name shares; only the ``CANDIDATES`` names sharing most are then compared closely (``difflib`` ratio on
a handful of short names). The cost depends on the text (capped at 200 characters by ``api/inputs.py``) and on how
rare its bigrams are, not on how many names there are: the national region table (44,000 names) answers as fast as
one county's bodies.
"""

from __future__ import annotations

import difflib
from collections import Counter, defaultdict
from collections.abc import Iterable

from quanze.graph.text import normalise_key

WORK = 20000  # postings read at most for one text
CANDIDATES = 60  # names compared closely
MAX_TEXT = 200  # characters of the text looked at


def grams(key: str) -> set[str]:
    return {key[i:i + 2] for i in range(len(key) - 1)} or ({key} if key else set())


class NameIndex:
    """Names by their character bigrams, for ``nearest``."""

    def __init__(self, names: Iterable[str], *, clean: bool = False):
        """``clean``: the names are already in their compared form (the national table's), so they are not
        normalised again."""
        self.names = sorted({n for n in names if n})
        self.keys = list(self.names) if clean else [normalise_key(n) for n in self.names]
        self.postings: dict[str, list[int]] = defaultdict(list)
        for i, key in enumerate(self.keys):
            for g in grams(key):
                self.postings[g].append(i)
        self.postings = dict(self.postings)

    def __len__(self) -> int:
        return len(self.names)

    def nearest(self, text: str, n: int = 5, cutoff: float = 0.5) -> list[str]:
        """Up to ``n`` names whose similarity to ``text`` (difflib's ratio, on normalised forms) is at least
        ``cutoff``, most similar first."""
        return [name for name, _ in self.scored(text, n, cutoff)]

    def scored(self, text: str, n: int = 5, cutoff: float = 0.5) -> list[tuple[str, float]]:
        key = normalise_key(str(text)[:MAX_TEXT])
        if not key or not self.names:
            return []
        shared: Counter[int] = Counter()
        work = 0
        for g in sorted(grams(key), key=lambda g: (len(self.postings.get(g, ())), g)):
            posting = self.postings.get(g)
            if not posting:
                continue
            if work + len(posting) > WORK and shared:
                break
            shared.update(posting[:WORK])
            work += len(posting)
        if not shared and len(key) <= 3:  # a short text sharing no pair: its single characters
            for ch in key:
                shared.update(i for i in self.postings.get(ch, ())[:WORK])
        out = []
        for i, _ in shared.most_common(CANDIDATES):
            sm = difflib.SequenceMatcher(None, key, self.keys[i], autojunk=False)
            if sm.real_quick_ratio() >= cutoff and sm.quick_ratio() >= cutoff:
                ratio = sm.ratio()
                if ratio >= cutoff:
                    out.append((self.names[i], ratio))
        out.sort(key=lambda x: (-x[1], x[0]))
        return out[:n]
