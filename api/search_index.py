"""The text side of matter search: turning Chinese text into terms, and a small BM25F index over fields.

Why three kinds of term: a dispatcher writes 村里有人没批就盖房子, a list writes 未经批准…建住宅. Whole words (jieba) give
precise matches; character bigrams catch the many cases where the two share characters but not words (占道 in
占道经营); single characters, weighted low, only help rank documents that already matched something better. Each kind
("channel") has its own postings and its own idf, and the channel scores are added with weights.

Why BM25F rather than one BM25 per field: a term found in the name and again in the legal basis should count once,
strongly, not twice; BM25F adds the weighted, length-normalised frequencies of all fields before saturating them.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import unicodedata
import warnings
from array import array
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable, Mapping, Sequence

from quanze.api import jieba_dictionary

if TYPE_CHECKING:  # jieba is imported lazily: loading it costs most of a second, and only search needs it
    import jieba

WORD, BIGRAM, UNIGRAM = "w", "b", "u"
CHANNELS = (WORD, BIGRAM, UNIGRAM)

# Words and characters that carry no meaning for finding a matter: grammar, and the dispatcher's own filler
# (有人, 太, 了, 问一下, 今天). Dropped on both sides so that documents and queries are cut the same way. 处罚, 行政 and the like
# are NOT here: they are meaningful (a category), and BM25's idf already makes them cheap.
STOP_WORDS = frozenset("""
的 了 着 过 在 是 有 和 与 及 或 或者 以及 并 并且 对 对于 把 被 给 让 向 从 于 为 由 等 之 其 该 此 所 而 就 也 都 还 又
很 太 挺 特别 非常 比较 不 没 没有 吗 呢 吧 啊 呀 哦 嘛 我 你 他 她 它 我们 你们 他们 这 那 这个 那个 这里 那里 这儿
那儿 哪 哪里 哪个 什么 怎么 怎么办 谁 里 上 下 中 内 要 会 能 想 说 人 有人 个 一 一些 些 老是 总是 经常 天天 现在
今天 明天 昨天 前天 后天 每天 一下 问一下 请问 谢谢 麻烦 你好 您好
""".split())
STOP_CHARS = frozenset(w for w in STOP_WORDS if len(w) == 1)


_INVISIBLE = str.maketrans({c: None for c in (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD)})
_SPACES = re.compile(r"\s+")
_SPACE_NEAR_CJK = re.compile(r"(?<=[\u3400-\u9fff\uf900-\ufaff])\s+|\s+(?=[\u3400-\u9fff\uf900-\ufaff])")
_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")
_HAS_WORD_CHAR = re.compile(r"[0-9a-z\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


def search_form(text: object) -> str:
    """The form both documents and queries are tokenised in: widths unified (full-width punctuation and the
    ideographic space too, by NFKC), case folded, invisible characters dropped, and spaces next to Chinese characters
    removed (a typist's 占道 经营 means 占道经营, a name wrapped inside a cell is one name); spaces between Latin words
    stay, as separators.

    Lighter than ``graph.text.clean_text`` on purpose: it runs on every field of thousands of matters per index.
    """
    if text is None:
        return ""
    out = unicodedata.normalize("NFKC", str(text).translate(_INVISIBLE)).casefold()
    return _SPACES.sub(" ", _SPACE_NEAR_CJK.sub("", out)).strip()


# --- jieba, once per process ----------------------------------------------------------------------------------

_TOKENIZER: "jieba.Tokenizer | None" = None
_TOKENIZER_LOCK = threading.Lock()


def tokenizer() -> "jieba.Tokenizer":
    """jieba's tokenizer, built on first use and shared by the process.

    An instance of our own, not jieba's global one, so that nothing another library does to the global dictionary
    changes how our documents and queries are cut. It is never changed after it is built: the index and the queries
    must be cut by the same dictionary. Its dictionary ships inside the jieba package (nothing is downloaded); jieba
    caches the parsed dictionary in the temp directory, which makes later processes start faster.
    """
    global _TOKENIZER
    if _TOKENIZER is None:
        with _TOKENIZER_LOCK:
            if _TOKENIZER is None:
                with warnings.catch_warnings():
                    # jieba 0.42 imports pkg_resources (deprecated in newer setuptools) and has old regex escapes;
                    # neither is ours to fix, and the project turns warnings into errors
                    warnings.simplefilter("ignore")
                    import jieba
                logging.getLogger("jieba").setLevel(logging.WARNING)  # its "Building prefix dict…" chatter
                tok = jieba.Tokenizer()
                # a process that cuts a question or two reads the words it needs from a file an earlier process
                # wrote (api/jieba_dictionary.py): the same cuts, without loading the whole dictionary first
                if not jieba_dictionary.attach(tok):
                    tok.initialize()
                    jieba_dictionary.keep(tok)
                _TOKENIZER = tok
    return _TOKENIZER


def cutting() -> str:
    """What the terms of a text depend on besides the text: jieba's version and dictionary, and the stop words. A
    cache of cut texts (``api/phrases.py``) is keyed by it, so that it is never read by a process that cuts otherwise."""
    import hashlib
    import importlib.metadata

    tok = tokenizer()
    dictionary = getattr(tok, "dictionary", "") or ""
    try:
        version = importlib.metadata.version("jieba")
    except importlib.metadata.PackageNotFoundError:
        version = "?"
    text = "\n".join([TERMS_VERSION, version, str(dictionary), " ".join(sorted(STOP_WORDS))])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


TERMS_VERSION = "terms-1"  # change when ``terms`` cuts differently


# --- terms ----------------------------------------------------------------------------------------------------

def words(text: str, fine: bool = True) -> list[str]:
    """jieba's words of ``text`` (already in search form), punctuation and stop words dropped.

    ``fine`` (for documents) is jieba's search mode: a long word also yields its dictionary sub-words (农产品质量 →
    产品, 质量, 农产品, …), so that a query's plain word finds it. Queries are cut plainly: the search mode would cut
    the citizen's 邻居家 into 邻居 and 居家 as well, and 居家 would find 居家养老.
    """
    if not text:
        return []
    tokens = tokenizer().cut_for_search(text) if fine else tokenizer().cut(text)
    return [w for w in (t.strip() for t in tokens) if w and w not in STOP_WORDS and _HAS_WORD_CHAR.search(w)]


def bigrams(text: str) -> list[str]:
    """Overlapping character pairs inside each run of Chinese characters; never across punctuation."""
    return [run[i:i + 2] for run in _CJK_RUN.findall(text) for i in range(len(run) - 1)]


def unigrams(text: str) -> list[str]:
    return [ch for run in _CJK_RUN.findall(text) for ch in run if ch not in STOP_CHARS]


def terms(text: str, fine: bool = True) -> dict[str, list[str]]:
    """All three channels of one text (already in search form); ``fine`` as for ``words``."""
    return {WORD: words(text, fine), BIGRAM: bigrams(text), UNIGRAM: unigrams(text)}


# --- explaining a match ----------------------------------------------------------------------------------------

def common_pieces(query: str, text: str) -> list[str]:
    """The longest pieces of the query (two characters or more) found literally in ``text``, left to right.

    What a person reads as "why": 占道经营, not the words 占, 道, 经营 that jieba happened to cut it into. Pieces made
    only of stop words (有人) explain nothing and are left out.
    """
    pieces, i, n = [], 0, len(query)
    while i < n:
        j = i + 1
        while j <= n and query[i:j] in text:
            j += 1
        piece = query[i:j - 1]
        if len(piece) >= 2 and piece not in STOP_WORDS and not all(c in STOP_CHARS for c in piece):
            pieces.append(piece)
            i = j - 1
        else:
            i += 1
    if not pieces and len(query) == 1 and query in text:
        pieces.append(query)
    return list(dict.fromkeys(pieces))


def term_shown(term: str, text: str, strict: bool = True) -> bool:
    """A synonym's official term explains a match when the text holds it, or most of its character pairs. One shared
    pair is not enough: 执业许可证 shares 许可 with every licence, and naming it for all of them explains nothing;
    only when nothing better explains a hit (``strict=False``) does one pair do."""
    if term in text:
        return True
    pairs = set(bigrams(term))
    found = sum(p in text for p in pairs)
    return found > 0 and (not strict or 2 * found > len(pairs))


# --- BM25F ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Bm25Params:
    """BM25's two knobs. k1: how fast repeated terms stop adding (matter names are short and rarely repeat a word,
    so the usual 1.2–1.5); b: how much a long field is discounted (the usual 0.75: a 60-character name that
    mentions 油烟 once is less about it than a 15-character one)."""

    k1: float = 1.3
    b: float = 0.75


@dataclass
class ChannelIndex:
    """Postings of one channel: term → (doc numbers, saturated BM25F term frequencies), and each term's idf.

    The saturated frequency is precomputed at build time (it depends only on the document), so a query only
    multiplies and adds: a search over thousands of matters stays in the milliseconds. Postings are kept in typed
    arrays: a million of them would take a hundred megabytes as Python dicts, a tenth of that as arrays.
    """

    postings: dict[str, tuple[array, array]] = field(default_factory=dict)
    idf: dict[str, float] = field(default_factory=dict)

    @classmethod
    def build(cls, docs: Sequence[Mapping[str, list[str]]], field_weights: Mapping[str, float],
              params: Bm25Params) -> "ChannelIndex":
        """``docs[i]`` maps a field name to that field's terms in this channel."""
        n_docs = len(docs)
        avg_len = {f: (sum(len(d.get(f, ())) for d in docs) / n_docs if n_docs else 0.0) or 1.0
                   for f in field_weights}
        k1, b = params.k1, params.b
        index = cls()
        postings = index.postings
        for i, doc in enumerate(docs):
            pseudo_tf: dict[str, float] = {}
            for f, weight in field_weights.items():
                field_terms = doc.get(f)
                if not field_terms:
                    continue
                # per-field length normalisation: a long legal basis should not drown its one relevant word
                scale = weight / (1.0 - b + b * len(field_terms) / avg_len[f])
                for t, c in Counter(field_terms).items():
                    pseudo_tf[t] = pseudo_tf.get(t, 0.0) + c * scale
            for t, tf in pseudo_tf.items():
                entry = postings.get(t)
                if entry is None:
                    entry = postings[t] = (array("i"), array("f"))
                entry[0].append(i)
                entry[1].append(tf * (k1 + 1.0) / (k1 + tf))
        for t, (doc_numbers, _) in postings.items():
            # Lucene's idf: never negative, so a term found in most documents still counts a little, never against
            index.idf[t] = math.log(1.0 + (n_docs - len(doc_numbers) + 0.5) / (len(doc_numbers) + 0.5))
        return index

    def score(self, query: Mapping[str, float], into: list[float], scale: float) -> None:
        """Add ``scale × query weight × idf × saturated tf`` of every query term to the documents' scores."""
        for t, q_weight in query.items():
            self.score_term(t, scale * q_weight, into)

    def score_term(self, term: str, weight: float, into: list[float], factor: Mapping[int, float] | None = None) -> None:
        """Add ``weight × idf × saturated tf`` of one term, times the document's ``factor`` when one is given
        (documents missing from it get nothing)."""
        posting = self.postings.get(term)
        if posting is None:
            return
        w = weight * self.idf[term]
        if factor is None:
            for doc, sat in zip(*posting):
                into[doc] += w * sat
            return
        for doc, sat in zip(*posting):
            f = factor.get(doc)
            if f:
                into[doc] += w * f * sat

    def score_sparse(self, term: str, weight: float, into: dict[int, float],
                     factor: Mapping[int, float] | None = None) -> None:
        """``score_term`` into a dict of only the documents that hold the term (for scoring one query term apart).

        With a ``factor`` much smaller than the term's postings (a rare official term, a common piece of it), the
        factor's documents are looked up in the postings (kept in document order) instead of reading them all."""
        posting = self.postings.get(term)
        if posting is None:
            return
        w = weight * self.idf[term]
        docs, sats = posting
        if factor is not None and 8 * len(factor) < len(docs):
            for doc, f in factor.items():
                i = bisect_left(docs, doc)
                if f and i < len(docs) and docs[i] == doc:
                    into[doc] = into.get(doc, 0.0) + w * f * sats[i]
            return
        for doc, sat in zip(docs, sats):
            f = 1.0 if factor is None else factor.get(doc)
            if f:
                into[doc] = into.get(doc, 0.0) + w * f * sat

    def coverage(self, items: Sequence[str]) -> dict[int, float]:
        """For each document holding any of ``items``: the share of them it holds."""
        counts: dict[int, int] = {}
        for t in set(items):
            posting = self.postings.get(t)
            if posting is not None:
                for doc in posting[0]:
                    counts[doc] = counts.get(doc, 0) + 1
        n = len(set(items))
        return {doc: c / n for doc, c in counts.items()}


def build_channels(field_texts: Iterable[Mapping[str, str]], field_weights: Mapping[str, float],
                   params: Bm25Params, ngram_only: Iterable[str] = (),
                   known: dict[str, dict[str, list[str]]] | None = None,
                   channels: Iterable[str] = CHANNELS) -> dict[str, ChannelIndex]:
    """One index per channel (of ``channels``) over documents given as {field: text in search form}.

    Fields in ``ngram_only`` are not cut into words: jieba is the slow part of building, and a long legal basis
    is found well enough by its character pairs. Field texts repeat a great deal (the same law, domain and category
    under hundreds of matters), so each distinct text is cut once. ``known``: texts already cut (``terms``), e.g.
    read from a cache on disk; the texts cut here are added to it.
    """
    plain = set(ngram_only)
    cache: dict[tuple[bool, str], dict[str, list[str]]] = {}
    per_channel: dict[str, list[dict[str, list[str]]]] = {c: [] for c in channels}
    for doc in field_texts:
        cut = {}
        for f, text in doc.items():
            if not text:
                continue
            key = (f in plain, text)
            if key not in cache:
                if key[0]:  # single characters of a long text are all noise: a legal basis has most of the common ones
                    cache[key] = {WORD: [], BIGRAM: bigrams(text), UNIGRAM: []}
                elif known is not None:
                    if text not in known:
                        known[text] = terms(text)
                    cache[key] = known[text]
                else:
                    cache[key] = terms(text)
            cut[f] = cache[key]
        for c in per_channel:
            per_channel[c].append({f: t[c] for f, t in cut.items()})
    return {c: ChannelIndex.build(docs, field_weights, params) for c, docs in per_channel.items()}
