"""Find matters (事项) from a citizen's or an official's words, in Chinese, offline.

A 12345 dispatcher types 村里有人没批就盖房子 or 饭店油烟太大; the lists say 对农村居民未经批准…建住宅的行政处罚 and
对餐饮服务业未安装油烟净化设施的处罚. Three things bridge the gap:

- terms of three kinds (jieba words, character bigrams, single characters), ranked by BM25F over the matter's
  fields, name first (see ``search_index``);
- a synonym table of everyday words → official terms (``data/synonyms.yaml``, extendable with the user's own files),
  whose terms are added to the query with a weight below 1;
- exact codes and exact names, which always rank first: a user who typed a code or a whole name means that matter.

Everything runs in-process on the matters a store holds (``store.nodes("Matter")``); nothing is fetched at run time.
"""

from __future__ import annotations

import functools
import heapq
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml

from quanze.api.search_index import (BIGRAM, UNIGRAM, WORD, Bm25Params, ChannelIndex, best_factor, bigrams,
                                     build_channels, common_pieces, search_form, term_shown, terms)
from quanze.errors import InputError, Problem, QuanzeError
from quanze.graph.matters import norm_matter_name
from quanze.graph.text import normalise_key

MAX_QUERY_CHARS = 200

# Field weights: the name says what the matter is; a sub-item narrows it; domain and category place it; the legal
# basis mostly names laws shared by many matters, so it helps least.
FIELD_WEIGHTS = {"name": 3.0, "sub_item": 2.0, "class": 1.0, "legal_basis": 0.4}
# Channel weights: a whole-word match is the strongest evidence, a shared character pair good evidence, a shared
# character weak evidence (it only reorders documents that matched something else).
CHANNEL_WEIGHTS = {WORD: 1.0, BIGRAM: 0.6, UNIGRAM: 0.12}
# Official terms a synonym added count less than the user's own words.
SYNONYM_WEIGHT = 0.6
# A legal basis can quote whole articles; its opening (the law, the article, the behaviour it punishes) is what a
# search can use, and indexing thousands of full articles would make building the index slow.
MAX_BASIS_CHARS = 240
# Text matches scoring under this share of the best one are noise (one common character pair), not candidates.
MIN_SHARE = 0.2

# A dispatcher's framing, not the problem: 我要投诉…, …归哪个部门管. Removed only at the ends of the query, and only
# when something of substance remains, so that 投诉举报处理 as a whole still finds itself.
_FRAMING_START = re.compile(r"^(?:我要|我想|想要|请问|你好|您好)?(?:投诉|举报|反映|咨询|问一下|问问)?[:,，：]?")
_FRAMING_END = re.compile(r"(?:该|应该|应当|归|由|找)?(?:哪个部门|什么部门|哪个单位|谁)(?:来)?(?:管|负责|处理)?[吗呢?？]*$"
                          r"|(?:怎么办|怎么处理|有人管吗|没人管|管不管)[吗呢?？]*$")


# Filler a citizen puts between the words of an everyday phrase; never part of one (地, 得, 着 are: 耕地, 着火)
_FILLER = re.compile(r"有人|有个|有些|一些|我们|他们|你们|[了的在把被]")


class BadQuery(QuanzeError):
    """A query that cannot be searched: empty, or too long to be a description of a problem."""


def check_query(query: str) -> str:
    """The query as it will be searched (widths unified, spaces trimmed), or BadQuery.

    Over 200 characters is a pasted document, not a question; refusing it keeps every search in the milliseconds.
    """
    cleaned = search_form(query if isinstance(query, str) else str(query or "")).strip()
    if not cleaned:
        raise BadQuery("查询为空：请输入事项名称、编码或问题描述。",
                       "empty query: type a matter's name, its code, or a description of the problem.")
    if len(cleaned) > MAX_QUERY_CHARS:
        raise BadQuery(f"查询过长：{len(cleaned)} 个字符，最多 {MAX_QUERY_CHARS} 个。请只描述问题本身。",
                       f"query too long: {len(cleaned)} characters, at most {MAX_QUERY_CHARS}. Describe the problem "
                       f"only.")
    return cleaned


# --- synonyms -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Synonyms:
    """Everyday words (in search form) → the official terms they stand for."""

    table: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.table)

    def merged(self, other: "Synonyms") -> "Synonyms":
        """Both tables; a word in both gets the union of the terms (a user file adds, it never takes away)."""
        out = {k: list(v) for k, v in self.table.items()}
        for word, official in other.table.items():
            known = out.setdefault(word, [])
            known.extend(t for t in official if t not in known)
        return Synonyms({k: tuple(v) for k, v in out.items()})

    def expand(self, query: str) -> list[tuple[str, str]]:
        """(everyday word, official term) for every everyday word found anywhere in the query (in search form).

        A substring test, not a word test: jieba cuts a dispatcher's phrasing unpredictably (没批就盖 is four words),
        and an everyday phrase is specific enough not to fire by accident. The query is also read without its filler
        (有人, 了, 的 …), so that 马路上有人卖菜 holds 马路上卖.
        """
        squeezed = _FILLER.sub("", query)
        found = [(word, term) for word, official in self.table.items() if word in query or word in squeezed
                 for term in official]
        # 盖房 inside 盖房子, both giving 建住宅: one explanation is enough, and the longer word is the user's
        return [(w, t) for w, t in found if not any(t == t2 and w != w2 and w in w2 for w2, t2 in found)]


def _synonym_problem(path: Path, message_zh: str, message_en: str, value: Any = None) -> Problem:
    return Problem("error", "bad-synonyms", message_zh, message_en, file=str(path), value=value,
                   expected="日常说法/另一说法: [官方用语, …]  (everyday/words: [official, terms])")


def _parse_synonyms(data: Any, path: Path) -> Synonyms:
    """The table of one file; a wrong shape is an InputError that names the file and the entry."""
    if data is None:
        return Synonyms()
    if not isinstance(data, dict):
        raise InputError(_synonym_problem(path, "同义词文件应为“说法: [官方用语]”的映射", "a synonym file must be a "
                                          "mapping of everyday words to official terms", type(data).__name__))
    table: dict[str, list[str]] = {}
    for key, value in data.items():
        official = [value] if isinstance(value, str) else value
        if not isinstance(key, str) or not isinstance(official, list) or not all(isinstance(t, str) for t in official):
            raise InputError(_synonym_problem(path, "同义词条目格式不对", "a synonym entry has the wrong shape",
                                              f"{key}: {value}"))
        terms_ = [t for t in (search_form(t) for t in official) if t]
        for word in (search_form(w) for w in key.split("/")):
            if word:
                known = table.setdefault(word, [])
                known.extend(t for t in terms_ if t not in known)
    return Synonyms({k: tuple(v) for k, v in table.items() if v})


def _read_yaml(text: str, path: Path) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError(_synonym_problem(path, f"同义词文件不是有效的 YAML：{exc}",
                                          f"the synonym file is not valid YAML: {exc}")) from exc


@functools.lru_cache(maxsize=1)
def shipped_synonyms() -> Synonyms:
    """The table that ships with quanze (``api/data/synonyms.yaml``); read once per process, never changed."""
    resource = resources.files("quanze.api").joinpath("data/synonyms.yaml")
    path = Path(str(resource))
    return _parse_synonyms(_read_yaml(resource.read_text(encoding="utf-8"), path), path)


def load_synonyms(paths: Iterable[Path] = ()) -> Synonyms:
    """The shipped table plus the user's files, in order; a user's word adds terms to the shipped word's."""
    table = shipped_synonyms()
    for path in paths:
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise InputError(_synonym_problem(path, f"无法读取同义词文件：{exc.strerror}",
                                              f"cannot read the synonym file: {exc.strerror}")) from exc
        table = table.merged(_parse_synonyms(_read_yaml(text, path), path))
    return table


# --- the index ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Hit:
    """One matter found. ``matched`` explains why: the user's words that matched, and ``说法→官方用语`` for synonyms
    that did; ``exact`` is true for an exact code or name (those rank first whatever their text score)."""

    matter_id: str
    score: float
    matched: list[str]
    exact: bool = False


@dataclass
class _QueryTerms:
    """A query as the user's own terms per channel, the terms the synonyms added (channel → term → the official
    terms it comes from), and what is needed to explain a match: the query's text, its words, and the synonyms that
    fired (everyday word → official terms)."""

    weights: dict[str, dict[str, float]]
    expanded: dict[str, dict[str, list[str]]]
    text: str
    words: list[str]
    synonyms: dict[str, list[str]]


def strip_framing(query: str) -> str:
    """The query without the dispatcher's framing at its ends (我要投诉…, …归谁管), when two or more characters remain."""
    core = _FRAMING_END.sub("", _FRAMING_START.sub("", query, count=1), count=1).strip(" ,，。.!！?？")
    return core if len(core) >= 2 else query


class MatterIndex:
    """An in-memory search index over matters, built once from ``store.nodes("Matter")``.

    Building cuts every name with jieba (the first index in a process also loads jieba's dictionary); a search
    then only adds precomputed numbers, so it takes milliseconds.
    """

    def __init__(self, matters: Iterable[dict], synonyms: Synonyms | None = None,
                 params: Bm25Params = Bm25Params()):
        self.synonyms = synonyms if synonyms is not None else load_synonyms()
        self.ids: list[str] = []
        self._texts: list[str] = []  # every field in search form, one string: what explanations are read from
        self._by_code: dict[str, list[int]] = {}
        self._by_name: dict[str, list[int]] = {}
        docs = []
        forms: dict[str, str] = {}  # laws, domains and categories repeat under hundreds of matters
        for m in matters:
            doc = len(self.ids)
            self.ids.append(str(m["id"]))
            self._remember_exact(doc, m)
            docs.append(_fields(m, forms))
            self._texts.append("\n".join(filter(None, docs[-1].values())))
        self.channels: dict[str, ChannelIndex] = build_channels(docs, FIELD_WEIGHTS, params, ("legal_basis",))

    def __len__(self) -> int:
        return len(self.ids)

    def _remember_exact(self, doc: int, m: Mapping[str, Any]) -> None:
        """Keys a query must equal to be an exact hit: the code, and the name with and without its sub-item,
        normalised as matter identity (``norm_matter_name``) normalises them."""
        code = normalise_key(m.get("code"))
        if code:
            self._by_code.setdefault(code, []).append(doc)
        name, sub = str(m.get("name") or ""), m.get("sub_item")
        if not sub:  # the store keeps norm_matter_name(name) already; computing it for thousands costs time
            keys = {m.get("norm_name") or norm_matter_name(name)}
        else:  # typed as one line, the name and its sub-item run together without the id's "/"
            with_sub = norm_matter_name(name, sub)
            keys = {norm_matter_name(name), with_sub, with_sub.replace("/", "", 1)}
        for key in keys - {""}:
            self._by_name.setdefault(key, []).append(doc)

    def search(self, query: str, limit: int = 10) -> list[Hit]:
        """The matters matching ``query``, best first: exact code or name matches, then by BM25F score.

        A document must share a word or a character pair with the query (its own words or a synonym's terms); a
        single shared character is not enough to be listed, only to rank. Text matches far below the best one
        (under ``MIN_SHARE`` of its score) are left out: they share a common pair like 生活 or 设施 and nothing else,
        and a dispatcher should not have to read past them. No match is an empty list, not an error.
        """
        cleaned = check_query(query)
        if limit <= 0:
            return []
        exact = self._exact(cleaned)
        q = self._query_terms(strip_framing(cleaned))
        scores = self._score(q)
        top = max(scores.values(), default=0.0)
        kept = {d for d, s in scores.items() if s >= MIN_SHARE * top} | exact
        ranked = heapq.nsmallest(limit, kept, key=lambda d: (d not in exact, -scores.get(d, 0.0), self.ids[d]))
        hits = []
        for d in ranked:
            # exact hits are lifted above every text match, and their scores say so
            score = top + 1.0 + scores.get(d, 0.0) if d in exact else scores[d]
            hits.append(Hit(self.ids[d], round(score, 4), self._explain(q, d), d in exact))
        return hits

    def _exact(self, cleaned: str) -> set[int]:
        return set(self._by_code.get(normalise_key(cleaned), ())) | set(self._by_name.get(norm_matter_name(cleaned),
                                                                                          ()))

    def _query_terms(self, query: str) -> _QueryTerms:
        own = terms(query, fine=False)
        weights = {channel: dict.fromkeys(items, 1.0) for channel, items in own.items()}
        expanded: dict[str, dict[str, list[str]]] = {WORD: {}, BIGRAM: {}}
        fired: dict[str, list[str]] = {}
        for word, term in self.synonyms.expand(query):
            if term in query:  # the user said it already, at full weight
                continue
            cut = terms(term)  # cut like the matters: an official term is written as they are
            # its single characters are left out: they would let an expansion pull in noise
            for channel, items in ((WORD, cut[WORD] + [term]), (BIGRAM, cut[BIGRAM])):
                for t in items:
                    if t not in weights[channel]:  # the user's own term counts, at full weight
                        expanded[channel].setdefault(t, []).append(term)
            fired.setdefault(word, []).append(term)
        return _QueryTerms(weights, expanded, query, list(dict.fromkeys(own[WORD])), fired)

    def _score_expansions(self, q: _QueryTerms, into: list[float]) -> set[int]:
        """Add the synonyms' terms, weighted per matter by the squared share of an official term it holds (the best
        one it holds); return the matters holding more than half of some official term (those the synonyms alone
        may list).

        Without that, 社会生活噪声 would lend its pair 生活 to 最低生活保障: an official term is evidence as a whole,
        and a matter holding one pair of five is not about it.
        """
        official = {term for owners in (*q.expanded[WORD].values(), *q.expanded[BIGRAM].values()) for term in owners}
        shares = [self.channels[BIGRAM].coverage(bigrams(term)) for term in official if len(term) > 1]
        factor = best_factor({d: c * c for d, c in share.items()} for share in shares)
        qualified = {d for share in shares for d, c in share.items() if c > 0.5}
        for channel in (WORD, BIGRAM):
            for t, owners in q.expanded[channel].items():
                whole = len(t) == 1 and t in owners  # a one-character term (假) is found whole or not at all
                self.channels[channel].score_term(t, SYNONYM_WEIGHT * CHANNEL_WEIGHTS[channel], into,
                                                  None if whole else factor)
                if whole:
                    qualified.update(self.channels[channel].postings.get(t, ((),))[0])
        return qualified

    def _score(self, q: _QueryTerms) -> dict[int, float]:
        """Scores of the matters that share a word or a character pair with the user's words, or most of an
        official term with the synonyms'; weaker evidence (a single character, a small part of an official term)
        only adds to those. A query with no pair at all (one character) is matched by its character."""
        strong = [0.0] * len(self.ids)
        for channel in (WORD, BIGRAM):
            self.channels[channel].score(q.weights.get(channel, {}), strong, CHANNEL_WEIGHTS[channel])
        qualified = {d for d, s in enumerate(strong) if s > 0.0}
        qualified |= self._score_expansions(q, strong)
        if not q.weights.get(BIGRAM) and not qualified:
            self.channels[UNIGRAM].score(q.weights.get(UNIGRAM, {}), strong, CHANNEL_WEIGHTS[UNIGRAM])
            return {d: s for d, s in enumerate(strong) if s > 0.0}
        weak = [0.0] * len(self.ids)
        self.channels[UNIGRAM].score(q.weights.get(UNIGRAM, {}), weak, CHANNEL_WEIGHTS[UNIGRAM])
        return {d: strong[d] + weak[d] for d in qualified}

    def _explain(self, q: _QueryTerms, doc: int) -> list[str]:
        """The user's own words found in the matter, then ``说法→官方用语、…`` for each synonym whose terms it holds."""
        text = self._texts[doc]
        for strict in (True, False):  # the loose reading only for a hit that the strict one cannot explain
            out = common_pieces(q.text, text) if strict else [w for w in q.words if w in text]
            for word, official in q.synonyms.items():
                shown = [t for t in official if term_shown(t, text, strict)]
                if shown:
                    out.append(f"{word}→{'、'.join(shown)}")
            if out:
                return out
        return []


def _fields(m: Mapping[str, Any], forms: dict[str, str]) -> dict[str, str]:
    """A matter's searchable fields in search form (``forms`` remembers texts already converted); domain and
    category share one field, both place the matter."""
    basis = str(m.get("legal_basis") or "")[:MAX_BASIS_CHARS]
    raw = {"name": m.get("name"), "sub_item": m.get("sub_item"),
           "class": " ".join(str(m[k]) for k in ("domain", "category") if m.get(k)), "legal_basis": basis}
    out = {}
    for f, text in raw.items():
        text = str(text) if text else ""
        if text not in forms:
            forms[text] = search_form(text)
        out[f] = forms[text]
    return out


__all__ = ["BadQuery", "Hit", "MatterIndex", "Synonyms", "check_query", "load_synonyms", "shipped_synonyms",
           "strip_framing"]
