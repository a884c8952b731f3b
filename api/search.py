"""Find matters (事项) from a citizen's or an official's words, in Chinese, offline.

A 12345 dispatcher types 村里有人没批就盖房子 or 饭店油烟太大; the lists say 对农村居民未经批准…建住宅的行政处罚 and
对餐饮服务业未安装油烟净化设施的处罚. Five things bridge the gap:

- terms of three kinds (jieba words, character bigrams, single characters), ranked by BM25F over the matter's
  fields, name first (see ``search_index``);
- a synonym table of everyday words → official terms (``data/synonyms.yaml``, extendable with the user's own files),
  whose terms are added to the query with a weight below 1, each official term on its own and with diminishing
  returns; an everyday word may have a gap (烧…轮胎), the longest phrase found speaks for the words inside it, and
  the words that are only parts of a known phrase (广告 in 小广告) count less;
- the phrase bank (``api/phrases.py``): a few everyday phrasings of each matter, a field of their own scored
  in-process (房本丢了 finds 不动产登记), and with the semantic model near sentences as past tickets are;
- what is asked (``api/intent.py``): a request (要办什么证) prefers licences and services, a report of a violation
  penalties and inspections, a hazard inspections and safety duties, a dispute mediation, a plea for help assistance;
- exact codes and exact names, which always rank first: a user who typed a code or a whole name means that matter.

The caller may name matters to prefer (``boost``: for ``who``, those with an assignment in the asked township), and
a query that shares no word or pair with any matter gets the matters sharing most of its characters, marked weak;
when even that finds nothing, ``closest`` gives the evidence below the floor that ``api/fallback.py`` turns into a
field and its usual lead.

Everything runs in-process on the matters a store holds (``store.nodes("Matter")``); nothing is fetched at run time.
"""

from __future__ import annotations

import copy
import functools
import heapq
import math
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import yaml

from quanze.api.intent import asks_for_permit, fits
from quanze.api.intent import read as read_intent
from quanze.api.phrases import Phrases, TermsCache, load_phrases, terms_cache
from quanze.api.semantic import Embedder, cosines
from quanze.api.tickets import Ticket
from quanze.api.search_index import (BIGRAM, STOP_CHARS, STOP_WORDS, UNIGRAM, WORD, Bm25Params, ChannelIndex,
                                     bigrams, build_channels, common_pieces, search_form, term_shown, terms,
                                     unigrams)
from quanze.api.inputs import question
from quanze.errors import InputError, Problem
from quanze.graph.matters import norm_matter_name
from quanze.graph.text import normalise_key


# A full-text index that finds candidates: terms (character pairs, Latin words) in, ids of matters holding any out.
Recall = Callable[[list[str]], Iterable[str]]

# Field weights: the name says what the matter is; a sub-item narrows it; domain and category place it; the legal
# basis mostly names laws shared by many matters, so it helps least.
FIELD_WEIGHTS = {"name": 3.0, "sub_item": 2.0, "class": 1.0, "legal_basis": 0.4}
# Channel weights: a whole-word match is the strongest evidence, a shared character pair good evidence, a shared
# character weak evidence (it only reorders documents that matched something else).
CHANNEL_WEIGHTS = {WORD: 1.0, BIGRAM: 0.6, UNIGRAM: 0.12}
# Official terms a synonym added count less than the user's own words; several official terms found in one matter
# add with diminishing returns (the best in full, the next times SYNONYM_DECAY, the next times its square …).
SYNONYM_WEIGHT = 0.6
SYNONYM_DECAY = 0.7
# The user's words that are only parts of an everyday phrase the table knows (广告 in 小广告) count this much.
PHRASE_PART_WEIGHT = 0.5
# A matter holding under this share of an official term's character pairs gets nothing from it (one pair of four is
# chance, and it would cost reading long postings for nothing).
MIN_TERM_SHARE = 0.34
# A legal basis can quote whole articles; its opening (the law, the article, the behaviour it punishes) is what a
# search can use, and indexing thousands of full articles would make building the index slow.
MAX_BASIS_CHARS = 240
# Article numbers of a legal basis (第三十七条第二款) would make 十四 or 三十 evidence: they are dropped before indexing
_ARTICLE = re.compile(r"第[一二三四五六七八九十百千零〇两\d]+[条款项章节目]")
# Text matches scoring under this share of the best one are noise (one common character pair), not candidates.
MIN_SHARE = 0.2
CONTAINED_MIN = 4  # a shorter question held in a matter's name says too little to lift it

# A dispatcher's framing, not the problem: 我要投诉…, …归哪个部门管. Removed only at the ends of the query, and only
# when something of substance remains, so that 投诉举报处理 as a whole still finds itself.
_FRAMING_START = re.compile(r"^(?:我要|我想|想要|请问|你好|您好)?(?:投诉|举报|反映|咨询|问一下|问问)?[:,，：]?")
_FRAMING_END = re.compile(r"(?:该|应该|应当|归|由|找)?(?:哪个部门|什么部门|哪个单位|谁)(?:来)?(?:管|负责|处理)?[吗呢?？]*$"
                          r"|(?:怎么办|怎么处理|有人管吗|没人管|管不管)[吗呢?？]*$")


# A synonym's everyday word may be written with a gap, 烧…轮胎: its parts in order, at most MAX_GAP characters apart
# (search form turns the ellipsis … into three dots, so both spellings work in a synonym file)
GAP = "..."
MAX_GAP = 6
# Matters the caller marks as relevant (``boost``: those with an assignment in the asked township) count this much
# more; a matter nobody handles there is a worse answer than a slightly weaker one somebody does.
BOOST = 2.0
# When no matter shares a word or a character pair with the query, matters sharing its characters are offered, marked
# weak, if they hold at least FALLBACK_MIN_CHARS of them and FALLBACK_MIN_SHARE of the query's idf-weighted characters.
FALLBACK_MIN_CHARS = 2
FALLBACK_MIN_SHARE = 0.5

# Semantic search (``api/semantic.py``, when its model is installed): the text score, as a share of the best one,
# gets SEMANTIC_WEIGHT × how far the sentence vectors' cosine lies above SEMANTIC_FLOOR (scaled to 0…1); the
# SEMANTIC_CANDIDATES matters nearest in meaning are candidates even when they share no word with the query, if
# their cosine reaches SEMANTIC_ALONE (unrelated words — 今天天气不错, 帮我订机票 — stay below it, around 0.45).
SEMANTIC_WEIGHT = 2.5
SEMANTIC_FLOOR = 0.3
SEMANTIC_CANDIDATES = 20
SEMANTIC_ALONE = 0.5
# Past tickets (``api/tickets.py``), with the semantic model: a matter gets TICKET_WEIGHT × how far the cosine of
# the nearest past ticket handled as it lies above TICKET_FLOOR (scaled to 0…1); at TICKET_ALONE or more the matter is
# a candidate even without a shared word. Ticket and query are both a caller's words: compared without bge's prefix.
TICKET_WEIGHT = 4.0
TICKET_FLOOR = 0.7
TICKET_ALONE = 0.8
# A past ticket that names only the body that handled it (承办单位) points at every matter that body handles: those
# already found get AGENCY_TICKET_WEIGHT × the same gain, which prefers that body's matters without adding any.
AGENCY_TICKET_WEIGHT = 3.0
# The phrase bank (``api/phrases.py``): with the semantic model, a matter gets PHRASE_WEIGHT × how far the cosine of
# its nearest everyday phrasing lies above PHRASE_FLOOR (scaled to 0…1), and at PHRASE_ALONE or more it is a candidate
# without a shared word, as a past ticket is — compared with the query's vector as a search (bge's instruction), the
# one the names get, which saves a model run and sits lower than a plain one; in any mode a matter's phrasings are
# also a field of their own (PHRASE_FIELD_WEIGHT against the name's 3), matched by words and character pairs.
PHRASE_WEIGHT = 4.0
PHRASE_FLOOR = 0.6
PHRASE_ALONE = 0.72
PHRASE_FIELD_WEIGHT = 3.0
# A confirmed ticket's words (``api/tickets.py``: the ticket names its matter) count as the phrase bank's do, with or
# without the model: what one caller said, the next says again.
TICKET_FIELD_WEIGHT = 3.0
PHRASE_COMMON = 0.04  # a term in the phrasings of more than this share of the matters is how people talk, not what about

# Below the floor (``closest``, for ``api/fallback.py`` when search lists nothing): a matter's name from this cosine,
# its nearest phrasing from this one, or without the model CLOSEST_CHARS characters of the query and CLOSEST_SHARE of
# their idf-weighted share. Unrelated words (今天天气不错, 帮我订机票, 股票什么时候涨) peak near 0.47 and 0.61.
CLOSEST_NAME = 0.48
CLOSEST_PHRASE = 0.65
CLOSEST_CHARS = 3
CLOSEST_SHARE = 0.75

# What is asked (``api/intent.py``: a violation, a request, a hazard, a dispute, a plea for help) changes which kind of
# matter fits: the matters that suit it count INTENT_FIT times, those that go against it INTENT_UNFIT times. A message
# whose intent is unclear counts licences and registrations UNCLEAR_PERMIT times (most messages report a problem).
INTENT_FIT = 1.25
INTENT_UNFIT = 0.65
UNCLEAR_PERMIT = 0.8
UNCLEAR_PERMIT_KINDS = frozenset({"行政许可", "行政确认", "其他行政权力"})

# Filler a citizen puts between the words of an everyday phrase; never part of one (地, 得, 着 are: 耕地, 着火)
_FILLER = re.compile(r"有人|有个|有些|一些|我们|他们|你们|[了的在把被]")
# A yes-no question (有没有, 是不是, 安不安全) is not a negation: read as its positive (有, 是, 安全) when matching the
# everyday words that start with a negation
_A_NOT_A = re.compile(r"([\u3400-\u9fff])[不没]\1")
_NEGATIONS = frozenset("没不未无非别")
# Particles and pronouns: a character pair of the query holding one (好的, 了鱼, 我家) is never evidence
_PARTICLES = frozenset("的了吗呢吧啊呀哦嘛我你她它咱")


def searchable(query: str) -> str:
    """The query as it will be searched (widths unified, spaces trimmed); an empty or overlong one is a bad query
    (``api.inputs.question``: over 200 characters is a pasted document, not a question)."""
    return search_form(question(query)).strip()


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

    @functools.cached_property
    def _gapped(self) -> list[tuple[str, list[str], str]]:
        """Everyday words written with a gap (烧…轮胎): their parts and a pattern each, the gap at most ``MAX_GAP``
        characters of text, never punctuation (烧旧轮胎, 烧了几个轮胎; not 烧，……轮胎). A pattern is compiled only
        when a query holds all its parts (``re`` keeps the compiled ones)."""
        gap = f"[^\\s,，。.;；:：!！?？、]{{0,{MAX_GAP}}}"
        return [(word, parts, gap.join(map(re.escape, parts)))
                for word in self.table if GAP in word for parts in [[p for p in word.split(GAP) if p]]]

    @functools.cached_property
    def _gapped_by_char(self) -> dict[str, list[int]]:
        """The gapped words (their place in ``_gapped``) by the first character of their first part: a query need only
        be tested against the words whose first part can start in it (a few dozen of the thousands)."""
        out: dict[str, list[int]] = {}
        for i, (_, parts, _) in enumerate(self._gapped):
            out.setdefault(parts[0][0], []).append(i)
        return out

    @functools.cached_property
    def _plain(self) -> tuple[dict[str, int], int]:
        """The everyday words without a gap, with their place in the table (answers keep the table's order), and the
        longest one's length: a query is matched by looking its substrings up, not by testing every word."""
        order = {word: i for i, word in enumerate(self.table)}
        plain = {word: i for word, i in order.items() if GAP not in word}
        return plain, max(map(len, plain), default=0)

    def expand(self, query: str) -> list[tuple[str, str]]:
        """(everyday word, official term) for every everyday word found anywhere in the query (in search form).

        A substring test, not a word test: jieba cuts a dispatcher's phrasing unpredictably (没批就盖 is four words),
        and an everyday phrase is specific enough not to fire by accident. The query is also read without its filler
        (有人, 了, 的 …), so that 马路上有人卖菜 holds 马路上卖. A word written with a gap (烧…轮胎) matches its parts
        in order with a few characters between them: a citizen puts words inside a phrase (烧旧轮胎, 稻田被挖成鱼塘)
        that no list of fixed phrases can foresee.

        A word that starts with a negation (没有培训, 不审批) is looked for in the query read without its yes-no
        questions: 有没有培训 asks whether there is training, it does not say there is none (安不安全, 要不要 alike).
        """
        texts = (query, _FILLER.sub("", query))
        asked = tuple(_A_NOT_A.sub(r"\1", t) for t in texts)
        plain, longest = self._plain

        def substrings(pool: tuple[str, ...]) -> set[str]:
            return {t[i:j] for t in pool for i in range(len(t)) for j in range(i + 1, min(len(t), i + longest) + 1)}

        held = {w for w in substrings(texts) & plain.keys() if w[0] not in _NEGATIONS}
        held |= {w for w in substrings(asked) & plain.keys() if w[0] in _NEGATIONS}
        words = sorted(held, key=plain.__getitem__)
        chars = set("".join(texts + asked))
        for i in sorted(i for ch in chars for i in self._gapped_by_char.get(ch, ())):
            word, parts, pattern = self._gapped[i]
            pool = asked if word[0] in _NEGATIONS else texts
            if any(all(p in t for p in parts) and re.search(pattern, t) for t in pool):
                words.append(word)
        found = [(word, term) for word in words for term in self.table[word]]
        # The longest everyday phrase speaks for the words inside it, as a reader takes 买收割机…补贴 as a question
        # about a subsidy, not about 收割机 (nor, for 盖房 inside 盖房子, twice about the same thing); of 烧稻草 and
        # 烧…稻草, the one without the gap stays.
        fired = {w: [p for p in w.split(GAP) if p] for w, _ in found}

        def covered(w: str) -> bool:
            plain = w.replace(GAP, "")
            return any(w2 != w and (any(plain in p for p in parts) or GAP in w and GAP not in w2 and plain in w2)
                       for w2, parts in fired.items())

        return [(w, t) for w, t in found if not covered(w)]


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
    try:  # libyaml's safe loader when PyYAML has it: the shipped table is read by every `quanze who`
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 — a safe loader
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
    that did; ``exact`` is true for an exact code or name (those rank first whatever their text score); ``weak`` for
    a guess from shared characters when nothing better matched."""

    matter_id: str
    score: float
    matched: list[str]
    exact: bool = False
    weak: bool = False  # found by shared characters only (nothing shared a word or a pair): a guess to confirm


@dataclass
class _QueryTerms:
    """A query as the user's own terms per channel, the terms the synonyms added (channel → term → the official
    terms it comes from), and what is needed to explain a match: the query's text, its words, and the synonyms that
    fired (everyday word → official terms)."""

    weights: dict[str, dict[str, float]]
    expanded: dict[str, dict[str, list[str]]]
    official: dict[str, dict[str, list[str]]]  # official term → channel → its terms not among the user's own
    text: str
    words: list[str]
    synonyms: dict[str, list[str]]


def strip_framing(query: str) -> str:
    """The query without the dispatcher's framing at its ends (我要投诉…, …归谁管), when two or more characters remain."""
    core = _FRAMING_END.sub("", _FRAMING_START.sub("", query, count=1), count=1).strip(" ,，。.!！?？")
    return core if len(core) >= 2 else query


class _Sayings:
    """Everyday sentences about matters, as a field of their own: the phrase bank's phrasings, or past tickets' words
    (a confirmed ticket is a citizen's phrasing of its matter). Scored here, in-process, by words and character pairs;
    a matter is found through them only by a specific word of the query (``specific``)."""

    def __init__(self, texts: list[tuple[str, ...]], params: Bm25Params, cache: TermsCache | None = None) -> None:
        self.texts = texts  # per matter (document number), in search form
        self.matters = sum(1 for t in texts if t)
        # words and pairs; single characters only when asked (``unigrams``: the fallback without the model)
        self.channels = build_channels([{"said": "。".join(t)} for t in texts], {"said": 1.0}, params,
                                       known=None if cache is None else cache.terms, channels=(WORD, BIGRAM)) \
            if self.matters else None
        self._params = params
        if cache is not None:
            cache.save()

    @functools.cached_property
    def unigrams(self) -> ChannelIndex | None:
        """The sentences' single characters (no jieba: cheap), built the first time they are needed."""
        if not self.matters:
            return None
        return ChannelIndex.build([{"said": unigrams("。".join(t))} for t in self.texts], {"said": 1.0}, self._params)

    def __len__(self) -> int:
        return sum(map(len, self.texts))

    def add(self, q: "_QueryTerms", strong: list[float], qualified: set[int], weight: float) -> None:
        """Add the field's score to the matters found (``qualified``, which the field's specific words extend)."""
        if self.channels is None or weight <= 0:
            return
        said = [0.0] * len(strong)
        for channel in (WORD, BIGRAM):
            self.channels[channel].score(q.weights.get(channel, {}), said, weight * CHANNEL_WEIGHTS[channel])
        qualified |= self.specific(q)
        for d, s in enumerate(said):
            if s > 0.0 and d in qualified:
                strong[d] += s

    def specific(self, q: "_QueryTerms") -> set[int]:
        """The matters whose sentences hold a term of the query that says what the problem is: one found in the
        sentences of at most ``PHRASE_COMMON`` of the matters. 怎么, 有人, 什么时候, 村里 are how people talk about
        anything (a quarter of the matters' phrasings hold 怎么): they add to a matter found otherwise, never find one."""
        cap = max(PHRASE_COMMON * self.matters, 2)  # a few matters' sentences cannot tell what is common
        # a whole word of the query, or a pair inside one (not 烟太 across 油烟 and 太大, nor a lone 补 or 涨), holding
        # no function character (一张, 村里, 没人 are how things are said)
        words = [w for w in q.weights.get(WORD, {}) if len(w) >= 2 and not STOP_CHARS.intersection(w)]
        said = {WORD: words, BIGRAM: [b for b in q.weights.get(BIGRAM, {})
                                      if b not in STOP_WORDS and any(b in w for w in words)]}
        out: set[int] = set()
        for channel, items in said.items():
            postings = self.channels[channel].postings
            for t in items:
                found = postings.get(t)
                if found is not None and len(found[0]) <= cap:
                    out.update(found[0])
        return out

    def nearest(self, q: "_QueryTerms", doc: int) -> tuple[int, int]:
        """(character pairs shared with the query, index) of the matter's sentence sharing most; (0, -1): none."""
        own = set(q.weights.get(BIGRAM, {}))
        best = (0, -1)
        for i, text in enumerate(self.texts[doc]):
            shared = len(own.intersection(bigrams(text)))
            if shared > best[0]:
                best = (shared, i)
        return best


class MatterIndex:
    """An in-memory search index over matters, built once from ``store.nodes("Matter")``.

    Building cuts every name with jieba (the first index in a process also loads jieba's dictionary); a search
    then only adds precomputed numbers, so it takes milliseconds.
    """

    def __init__(self, matters: Iterable[dict], synonyms: Synonyms | None = None,
                 params: Bm25Params = Bm25Params(), embedder: Embedder | None = None, tickets: Sequence[Ticket] = (),
                 phrases: Phrases | None = None):
        self.synonyms = synonyms if synonyms is not None else load_synonyms()
        bank = phrases if phrases is not None else load_phrases()
        said: list[tuple[str, ...]] = []  # each matter's everyday phrasings (the phrase bank), in search form
        self.ids: list[str] = []
        self._kinds: list[str] = []  # the matter's category (行政许可, 行政处罚 …), "" when the list gives none
        self._texts: list[str] = []  # every field in search form, one string: what explanations are read from
        self._names: list[str] = []  # name and sub-item in search form (what intent reads of a matter)
        self._by_code: dict[str, list[int]] = {}
        self._by_name: dict[str, list[int]] = {}
        docs = []
        forms: dict[str, str] = {}  # laws, domains and categories repeat under hundreds of matters
        for m in matters:
            doc = len(self.ids)
            self.ids.append(str(m["id"]))
            self._kinds.append(str(m.get("category") or ""))
            self._remember_exact(doc, m)
            docs.append(_fields(m, forms))
            self._names.append(docs[-1]["name"] + docs[-1]["sub_item"])
            self._texts.append("\n".join(filter(None, docs[-1].values())))
            said.append(tuple(search_form(p) for p in bank.of(m.get("norm_name") or norm_matter_name(str(m["name"])))))
        self.channels: dict[str, ChannelIndex] = build_channels(docs, FIELD_WEIGHTS, params, ("legal_basis",))
        # the phrasings, a field apart: scored here, in-process, so that a store's own full-text index (which holds
        # the lists' fields only) need not know them, and both stores answer alike
        self._params = params
        self._phrases = _Sayings(said, params, terms_cache())  # public text: its cut words may be kept on disk
        self.phrases_used = len(self._phrases)
        self._doc_of = {matter_id: doc for doc, matter_id in enumerate(self.ids)}
        # one sentence vector per matter (name and sub-item: what the matter is), when semantic search is on
        self.embedder = embedder
        self._vectors = (embedder.embed([_meaning(d) for d in docs], cache=True) if embedder is not None and docs
                         else None)
        self._attach(tickets)
        # one vector per phrasing, on disk beside the names' (shipped text, not a citizen's words); the matters with
        # the same phrasings (the same item in several lists or counties) share their rows: group i's run of rows
        # starts at _phrase_starts[i], its matters are _phrase_groups[i]
        self._phrase_vectors = None
        if self._vectors is not None and self.phrases_used:
            import numpy as np

            groups: dict[tuple[str, ...], list[int]] = {}
            for d, ps in enumerate(said):
                if ps:
                    groups.setdefault(ps, []).append(d)
            self._phrase_groups = list(groups.items())
            self._phrase_group = {d: i for i, (_, docs) in enumerate(self._phrase_groups) for d in docs}
            self._phrase_starts = np.cumsum([0] + [len(ps) for ps, _ in self._phrase_groups[:-1]], dtype=np.int64)
            self._phrase_vectors = embedder.embed([p for ps, _ in self._phrase_groups for p in ps], cache=True)

    def _attach(self, tickets: Sequence[Ticket]) -> None:
        """Past tickets, each with the matters it points at: its matter (by code or exact name), or every matter of
        the body that handled it (ids the caller resolved); one vector each when the model is there."""
        self.tickets: list[tuple[Ticket, list[int]]] = []
        self.tickets_unknown: list[Ticket] = []  # naming a matter, or a body, this store does not hold
        tickets = list(tickets)
        self.tickets_read = len(tickets)
        for t in tickets:
            found = (sorted(self._exact(t.matter)) if t.matter
                     else sorted({self._doc_of[i] for i in t.matter_ids if i in self._doc_of}))
            if found:
                self.tickets.append((t, found))
            else:
                self.tickets_unknown.append(t)
        self._ticket_vectors = (self.embedder.embed([search_form(t.text) for t, _ in self.tickets], remember=True)
                                if self._vectors is not None and self.tickets else None)
        # a ticket that names its matter is a citizen's phrasing of it: its words count as the phrase bank's do
        words: list[list[str]] = [[] for _ in self.ids]
        for t, docs in self.tickets:
            if t.matter:
                for d in docs:
                    words[d].append(search_form(t.text))
        self._ticket_words = _Sayings([tuple(w) for w in words], self._params)

    def with_tickets(self, tickets: Sequence[Ticket]) -> "MatterIndex":
        """This index with these past tickets instead of its own: the matters' terms, vectors and phrasings are
        shared, not rebuilt, so that a ticket confirmed a moment ago counts for the next question at once (a
        hotline appends one at a time; rebuilding the whole index for each would cost a second)."""
        other = copy.copy(self)
        other._attach(tickets)
        return other

    @property
    def semantic(self) -> bool:
        """Whether this index ranks by meaning as well as by words."""
        return self._vectors is not None

    @property
    def tickets_used(self) -> int:
        """Past tickets search compares queries with (none without the semantic model)."""
        return 0 if self._ticket_vectors is None else len(self.tickets)

    def __len__(self) -> int:
        return len(self.ids)

    def exact(self, text: str) -> list[str]:
        """Ids of the matters ``text`` names exactly — by code, or by whole name with or without its sub-item — as
        search puts them first and as a past ticket's matter is matched."""
        return [self.ids[d] for d in sorted(self._exact(text))]

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

    def search(self, query: str, limit: int = 10, boost: set[str] | frozenset[str] | None = None,
               recall: Recall | None = None) -> list[Hit]:
        """The matters matching ``query``, best first: exact code or name matches, then by BM25F score.

        A document must share a word or a character pair with the query (its own words or a synonym's terms), or a
        specific word with its everyday phrasings (``_Sayings.specific``); a single shared character is not enough to
        be listed, only to rank. Text matches far below the best one (under ``MIN_SHARE`` of its score) are left
        out: they share a common pair like 生活 or 设施 and nothing else, and a dispatcher should not have to read
        past them. What the message asks for (``api/intent.py``) counts the matters that suit it ``INTENT_FIT``
        times and those against it ``INTENT_UNFIT`` times (``_by_intent``).

        ``boost``: ids of matters to prefer — for ``who``, the matters that have an assignment (a list row, a
        delegation, a recall) in the asked township: their text scores count ``BOOST`` times. It only reorders text
        matches; exact codes and names still come first, and a matter outside the set is still listed.

        When nothing shares a word or a pair, matters sharing most of the query's characters are offered instead,
        marked ``weak`` (see ``_fallback``). Nothing at all is an empty list, not an error.

        ``recall``: a full-text index outside this process that finds the candidates (the Neo4j store's ``cjk``
        Lucene index). It is given the character pairs and words of ``recall_terms`` and returns the ids of the
        matters holding any of them; only those (and the matters holding a query word that has no pair, looked up
        here) can be listed. The ranking is this index's, so when the full-text index finds every matter that holds
        a pair, the answer is the one an in-process search gives.
        """
        cleaned = searchable(query)
        if limit <= 0:
            return []
        exact = self._exact(cleaned)
        q = self._query_terms(strip_framing(cleaned))
        allowed = None if recall is None else self._recalled(q, recall)
        contained = self._contained(cleaned) - exact
        if allowed is not None:  # a full-text index finds such a name by the question's pairs, or it is not here
            contained &= allowed
        scores = self._score(q, allowed)
        weak = not scores
        if weak:
            scores = self._fallback(q)
        near: dict[int, float] = {}
        similar: dict[int, tuple[float, Ticket]] = {}
        phrased: dict[int, tuple[float, str]] = {}
        if self._vectors is not None:
            scores, near, similar, phrased = self._with_meaning(cleaned, scores)
        scores = self._by_intent(read_intent(cleaned).kind, scores)
        if boost:
            scores = {d: s * BOOST if self.ids[d] in boost else s for d, s in scores.items()}
        top = max(scores.values(), default=0.0)
        kept = {d for d, s in scores.items() if s >= MIN_SHARE * top} | exact | contained
        ranked = heapq.nsmallest(limit, kept, key=lambda d: (d not in exact, d not in contained,
                                                             -scores.get(d, 0.0), self.ids[d]))
        hits = []
        for d in ranked:
            # exact hits are lifted above every text match, and their scores say so; a matter whose name holds the
            # whole question comes next (its words are the list's own, not a citizen's)
            score = top + 1.0 + scores.get(d, 0.0) if d in exact else \
                top + 0.5 + scores.get(d, 0.0) if d in contained else scores[d]
            matched = self._explain(q, d) + ([f"语义相近 semantic {near[d]:.2f}"] if d in near else []) + (
                [_phrase_note(*phrased[d])] if d in phrased else self._said_words(q, d)) + (
                [_ticket_note(*similar[d])] if d in similar else [])
            hits.append(Hit(self.ids[d], round(score, 4), matched, d in exact, weak and d not in exact))
        return hits

    def _by_intent(self, kind: str, scores: dict[int, float]) -> dict[int, float]:
        """Scores times ``INTENT_FIT`` for the matters that suit what is asked, ``INTENT_UNFIT`` for those against it;
        when it is unclear, licences and registrations count ``UNCLEAR_PERMIT`` times."""
        if kind == "unclear":
            return {d: s * UNCLEAR_PERMIT if self._kinds[d] in UNCLEAR_PERMIT_KINDS else s for d, s in scores.items()}
        factor = {1: INTENT_FIT, -1: INTENT_UNFIT, 0: 1.0}
        return {d: s * factor[fits(kind, self._kinds[d], self._names[d])] for d, s in scores.items()}

    def _with_meaning(self, query: str, scores: dict[int, float]
                      ) -> tuple[dict[int, float], dict[int, float], dict[int, tuple[float, Ticket]],
                                 dict[int, tuple[float, str]]]:
        """Text scores as shares of the best one, plus the semantic gain, the phrase bank's and the past tickets'
        gain; the matters nearest in meaning, and those of phrasings or past tickets very like the query, join the
        candidates. Returns (scores, cosine of each matter the meaning counted for, the nearest past ticket of each
        matter a ticket counted for, the nearest phrasing of each matter a phrasing counted for)."""
        # the query as a search for passages (the matters' names), and as it stands (to compare with past tickets);
        # one call each, so that neither vector depends on the other's length through the batch's padding
        asked = self.embedder.embed_query(query)
        meaning = cosines(self._vectors, asked)
        top = max(scores.values(), default=0.0)
        fused = {d: s / top for d, s in scores.items()} if top > 0 else {}
        nearest = [d for d in heapq.nlargest(SEMANTIC_CANDIDATES, range(len(self.ids)), key=lambda d: meaning[d])
                   if meaning[d] >= SEMANTIC_ALONE]
        near = {}
        for d in set(fused) | set(nearest):
            gain = (float(meaning[d]) - SEMANTIC_FLOOR) / (1.0 - SEMANTIC_FLOOR)
            if gain > 0:
                near[d] = float(meaning[d])
                fused[d] = fused.get(d, 0.0) + SEMANTIC_WEIGHT * gain
        similar: dict[int, tuple[float, Ticket]] = {}
        phrased: dict[int, tuple[float, str]] = {}
        if self._phrase_vectors is not None:  # with the query's vector as a search (one model run less)
            for d, (cosine, phrase) in self._near_phrases(asked, PHRASE_FLOOR, among=set(fused)).items():
                fused[d] = fused.get(d, 0.0) + PHRASE_WEIGHT * (cosine - PHRASE_FLOOR) / (1.0 - PHRASE_FLOOR)
                phrased[d] = (cosine, phrase)
        if self._ticket_vectors is not None:
            gains: dict[int, float] = {}
            words = self.embedder.embed([query])[0]
            for (ticket, docs), cosine in zip(self.tickets, cosines(self._ticket_vectors, words).tolist()):
                if cosine <= TICKET_FLOOR:
                    continue
                weight = TICKET_WEIGHT if ticket.matter else AGENCY_TICKET_WEIGHT
                gain = weight * (cosine - TICKET_FLOOR) / (1.0 - TICKET_FLOOR)
                for d in docs:  # a body's ticket only reorders what was found; a matter's can add it
                    if (d in fused or (ticket.matter and cosine >= TICKET_ALONE)) and gain > gains.get(d, 0.0):
                        gains[d], similar[d] = gain, (cosine, ticket)
            for d, gain in gains.items():
                fused[d] = fused.get(d, 0.0) + gain
        return {d: s for d, s in fused.items() if s > 0}, near, similar, phrased

    def closest(self, query: str, limit: int = 30) -> list[tuple[str, float]]:
        """Evidence below the floor, for when ``search`` lists nothing: (matter id, strength 0…1), strongest first, of
        the matters the words come nearest to — by meaning (the name's cosine from ``CLOSEST_NAME``, the nearest
        phrasing's from ``CLOSEST_PHRASE``: unrelated words such as 今天天气不错 stay under both), or without the model
        by the query's characters (idf-weighted) found in a matter's fields, ``CLOSEST_CHARS`` of them at least.
        Empty when the words say nothing a matter is about. ``api/fallback.py`` turns it into a field."""
        cleaned = searchable(query)
        evidence: dict[int, float] = {}
        if self._vectors is not None:
            names = cosines(self._vectors, self.embedder.embed_query(cleaned))
            for d in (names >= CLOSEST_NAME).nonzero()[0].tolist():
                evidence[d] = (float(names[d]) - CLOSEST_NAME) / (1.0 - CLOSEST_NAME)
            if self._phrase_vectors is not None:
                for d, (cosine, _) in self._near_phrases(self.embedder.embed([cleaned])[0], CLOSEST_PHRASE,
                                                         texts=False).items():
                    evidence[d] = max(evidence.get(d, 0.0), (cosine - CLOSEST_PHRASE) / (1.0 - CLOSEST_PHRASE))
        else:
            evidence = self._closest_by_characters(self._query_terms(strip_framing(cleaned)))
        best = heapq.nlargest(limit, evidence, key=lambda d: (evidence[d], -d))
        return [(self.ids[d], round(evidence[d], 4)) for d in best]

    def _closest_by_characters(self, q: _QueryTerms) -> dict[int, float]:
        """Each matter's idf-weighted share of the query's characters found in its fields (not its phrasings: everyday
        words hold every common character), when it holds ``CLOSEST_CHARS`` of them and at least ``CLOSEST_SHARE`` of
        their weight (scaled to 0…1 from there)."""
        chars = list(dict.fromkeys(q.weights.get(UNIGRAM, {})))
        if len(chars) < CLOSEST_CHARS:
            return {}
        channels = [self.channels[UNIGRAM]] + ([self._phrases.unigrams] if self._phrases.unigrams else [])
        rarest = math.log(1.0 + (len(self.ids) + 0.5) / 0.5)
        weight = {ch: self.channels[UNIGRAM].idf.get(ch, rarest) for ch in chars}
        total = sum(weight.values())
        held: dict[int, set[str]] = {}
        for channel in channels:
            for ch in chars:
                for doc in channel.postings.get(ch, ((),))[0]:
                    held.setdefault(doc, set()).add(ch)
        out = {}
        for d, cs in held.items():
            share = sum(weight[c] for c in cs) / total
            if len(cs) >= CLOSEST_CHARS and share >= CLOSEST_SHARE:
                out[d] = (share - CLOSEST_SHARE) / (1.0 - CLOSEST_SHARE)
        return out

    def _near_phrases(self, words: Any, floor: float, among: set[int] | None = None,
                      texts: bool = True) -> dict[int, tuple[float, str]]:
        """The matters whose nearest phrasing lies above ``floor`` in meaning — of ``among`` (the candidates found),
        and any at ``PHRASE_ALONE`` or more; every matter when ``among`` is None: doc → (cosine, that phrasing; ""
        unless ``texts``). One product for all the phrasings, then only the groups asked about are looked into."""
        import numpy as np

        near = cosines(self._phrase_vectors, words)
        best = np.maximum.reduceat(near, self._phrase_starts)
        if among is None:
            groups = np.flatnonzero(best > floor).tolist()
        else:
            wanted = {self._phrase_group[d] for d in among if d in self._phrase_group}
            groups = sorted({g for g in wanted if best[g] > floor} | set(np.flatnonzero(best >= PHRASE_ALONE).tolist()))
        out = {}
        for i in groups:
            phrasings, docs = self._phrase_groups[i]
            start = int(self._phrase_starts[i])
            nearest = (float(best[i]),
                       phrasings[int(np.argmax(near[start:start + len(phrasings)]))] if texts else "")
            out.update((d, nearest) for d in docs if among is None or d in among or best[i] >= PHRASE_ALONE)
        return out

    def _fallback(self, q: _QueryTerms) -> dict[int, float]:
        """Scores of the matters sharing most of the query's characters, when nothing shares a word or a pair.

        The citizen's 稻田被挖成了鱼塘 and the list's 挖塘养鱼 share 挖, 塘 and 鱼 but no pair. A matter qualifies
        when it holds at least ``FALLBACK_MIN_CHARS`` of the query's characters and ``FALLBACK_MIN_SHARE`` of their
        idf (a rare character counts more than 村 or 人; a character no matter holds counts as the rarest), so that
        量子计算机 does not offer 计量器具 for its 计 and 量. Characters of the official terms the synonyms added are
        counted with the user's, at their weight.
        """
        unigram = self.channels[UNIGRAM]
        chars = dict.fromkeys(q.weights.get(UNIGRAM, {}), 1.0)
        for term in {t for owners in q.expanded[WORD].values() for t in owners}:
            for ch in unigrams(term):
                chars.setdefault(ch, SYNONYM_WEIGHT)
        if not chars:
            return {}
        rarest = math.log(1.0 + (len(self.ids) + 0.5) / 0.5)
        weight = {ch: w * unigram.idf.get(ch, rarest) for ch, w in chars.items()}
        total = sum(weight.values())
        held: dict[int, list[str]] = {}
        for ch in chars:
            for doc in unigram.postings.get(ch, ((),))[0]:
                held.setdefault(doc, []).append(ch)
        fits = {d: sum(weight[c] for c in cs) / total for d, cs in held.items()
                if len(cs) >= FALLBACK_MIN_CHARS and sum(weight[c] for c in cs) >= FALLBACK_MIN_SHARE * total}
        if not fits:
            return {}
        into = [0.0] * len(self.ids)
        unigram.score(chars, into, CHANNEL_WEIGHTS[UNIGRAM])
        return {d: into[d] * share for d, share in fits.items()}

    def _exact(self, cleaned: str) -> set[int]:
        return set(self._by_code.get(normalise_key(cleaned), ())) | set(self._by_name.get(norm_matter_name(cleaned),
                                                                                          ()))

    def _contained(self, cleaned: str) -> set[int]:
        """Matters whose name holds the whole question (``CONTAINED_MIN`` characters at least): 占道经营 is in
        对流动摊贩占道经营的行政处罚 and 城区占道经营治理."""
        key = norm_matter_name(cleaned)
        if len(key) < CONTAINED_MIN:
            return set()
        return {d for name, docs in self._by_name.items() if key in name for d in docs}

    def _query_terms(self, query: str) -> _QueryTerms:
        own = terms(query, fine=False)
        # a pair holding a particle or a pronoun (好的, 了鱼, 我家) is how the citizen talks, not what the problem is
        # (也不, 都没: function words only, no content either)
        own[BIGRAM] = [b for b in own[BIGRAM] if not _PARTICLES.intersection(b) and not set(b) <= STOP_CHARS]
        weights = {channel: dict.fromkeys(items, 1.0) for channel, items in own.items()}
        expanded: dict[str, dict[str, list[str]]] = {WORD: {}, BIGRAM: {}}
        official: dict[str, dict[str, list[str]]] = {}
        fired: dict[str, list[str]] = {}
        pairs = self.synonyms.expand(query)
        _weigh_phrase_parts(weights, pairs)
        for word, term in pairs:
            if term in query:  # the user said it already, at full weight
                continue
            if term not in official:
                cut = terms(term)  # cut like the matters: an official term is written as they are
                # its single characters are left out: they would let an expansion pull in noise
                official[term] = {channel: [t for t in dict.fromkeys(items) if t not in weights[channel]]
                                  for channel, items in ((WORD, cut[WORD] + [term]), (BIGRAM, cut[BIGRAM]))}
                for channel, items in official[term].items():
                    for t in items:  # the user's own terms count already, at full weight
                        expanded[channel].setdefault(t, []).append(term)
            fired.setdefault(word, []).append(term)
        return _QueryTerms(weights, expanded, official, query, list(dict.fromkeys(own[WORD])), fired)

    def _score_expansions(self, q: _QueryTerms, into: list[float]) -> set[int]:
        """Add the synonyms' official terms; return the matters holding more than half of some official term (those
        the synonyms alone may list).

        Each official term is scored on its own, weighted per matter by the squared share of the term's character
        pairs the matter holds: 社会生活噪声 must not lend its pair 生活 to 最低生活保障, since an official term is
        evidence as a whole and a matter holding one pair of five is not about it.

        A matter's official terms then add with diminishing returns — the best in full, the next at ``SYNONYM_DECAY``,
        the next at its square … An everyday word comes with several official terms because lists word one thing
        several ways (电鱼: 电鱼, 禁用渔具, 非法捕捞); a matter that happens to hold many of them is not for that
        several times more likely the one meant, and must not outrank the matter holding the user's own word.
        """
        gains: dict[int, list[float]] = {}
        qualified: set[int] = set()
        for term, pieces in q.official.items():
            gain: dict[int, float] = {}
            whole = len(term) == 1  # a one-character term (假) is found whole or not at all
            if whole:
                factor = None
            else:
                share = self.channels[BIGRAM].coverage(bigrams(term))
                factor = {d: c * c for d, c in share.items() if c >= MIN_TERM_SHARE}
                qualified.update(d for d, c in share.items() if c > 0.5)
            for channel in (WORD, BIGRAM):
                for t in pieces.get(channel, ()):
                    self.channels[channel].score_sparse(t, SYNONYM_WEIGHT * CHANNEL_WEIGHTS[channel], gain, factor)
                    if whole:
                        qualified.update(self.channels[channel].postings.get(t, ((),))[0])
            for d, g in gain.items():
                gains.setdefault(d, []).append(g)
        for d, values in gains.items():
            values.sort(reverse=True)
            into[d] += sum(v * SYNONYM_DECAY ** i for i, v in enumerate(values))
        return qualified

    def recall_terms(self, query: str) -> list[str]:
        """What a full-text index must look up to find every matter ``search`` could list for ``query``: the
        character pairs of the user's words and of the synonyms' official terms, and the words that are not Chinese
        (KTV, 3C); Chinese words without a pair (狗, 烟) are looked up in-process."""
        return self._recall_split(self._query_terms(strip_framing(searchable(query))))[0]

    def _recall_split(self, q: _QueryTerms) -> tuple[list[str], list[str]]:
        """(terms for the full-text index, pairless Chinese words to look up here)."""
        words = list(q.weights.get(WORD, {})) + [t for t in q.official] + list(q.expanded[WORD])
        pairs = dict.fromkeys(list(q.weights.get(BIGRAM, {})) + list(q.expanded[BIGRAM]))
        here: list[str] = []
        for w in dict.fromkeys(words):
            cut = bigrams(w)
            if cut:
                pairs.update(dict.fromkeys(cut))
            elif unigrams(w) or len(w) == 1:
                here.append(w)
            else:
                pairs[w] = None  # a Latin or numeric word: the full-text index keeps it whole
        return list(pairs), here

    def _recalled(self, q: _QueryTerms, recall: Recall) -> set[int]:
        """The documents the full-text index finds for the query's pairs, and those holding its pairless words."""
        outside, here = self._recall_split(q)
        found = set(recall(outside)) if outside else set()
        docs = {self._doc_of[i] for i in found if i in self._doc_of}
        for w in here:
            for channel in (WORD, BIGRAM):
                docs.update(self.channels[channel].postings.get(w, ((),))[0])
        return docs

    def _score(self, q: _QueryTerms, allowed: set[int] | None = None) -> dict[int, float]:
        """Scores of the matters that share a word or a character pair with the user's words, or most of an
        official term with the synonyms'; weaker evidence (a single character, a small part of an official term)
        only adds to those. A query with no pair at all (one character) is matched by its character. ``allowed``:
        the candidates a full-text index recalled (None: every matter)."""
        strong = [0.0] * len(self.ids)
        for channel in (WORD, BIGRAM):
            self.channels[channel].score(q.weights.get(channel, {}), strong, CHANNEL_WEIGHTS[channel])
        qualified = {d for d, s in enumerate(strong) if s > 0.0}
        qualified |= self._score_expansions(q, strong)
        if allowed is not None:
            qualified &= allowed
        # the phrase bank's phrasings and confirmed tickets' words, in-process whatever recalled the rest
        self._phrases.add(q, strong, qualified, PHRASE_FIELD_WEIGHT)
        self._ticket_words.add(q, strong, qualified, TICKET_FIELD_WEIGHT)
        if not q.weights.get(BIGRAM) and not qualified:
            self.channels[UNIGRAM].score(q.weights.get(UNIGRAM, {}), strong, CHANNEL_WEIGHTS[UNIGRAM])
            return {d: s for d, s in enumerate(strong) if s > 0.0}
        weak = [0.0] * len(self.ids)
        self.channels[UNIGRAM].score(q.weights.get(UNIGRAM, {}), weak, CHANNEL_WEIGHTS[UNIGRAM])
        return {d: strong[d] + weak[d] for d in qualified}

    def _said_words(self, q: _QueryTerms, doc: int) -> list[str]:
        """``常见说法「…」`` for the matter's phrasing sharing most of the query's character pairs, and ``确认工单「…」``
        for its confirmed ticket sharing most, when two pairs or more (found by words; by meaning the notes of
        ``_with_meaning`` say it)."""
        out = []
        for field, weight, label in ((self._phrases, PHRASE_FIELD_WEIGHT, "常见说法 everyday phrasing"),
                                     (self._ticket_words, TICKET_FIELD_WEIGHT, "确认工单 confirmed ticket")):
            if field.channels is None or weight <= 0 or not field.texts[doc]:
                continue
            shared, i = field.nearest(q, doc)
            if shared >= 2:
                text = field.texts[doc][i]
                out.append(f"{label}：「{text if len(text) <= 30 else text[:29] + '…'}」")
        return out

    def _explain(self, q: _QueryTerms, doc: int) -> list[str]:
        """The user's own words found in the matter, then ``说法→官方用语、…`` for each synonym whose terms it holds;
        for a weak hit, the characters it shares with the query."""
        text = self._texts[doc]
        for strict in (True, False):  # the loose reading only for a hit that the strict one cannot explain
            out = common_pieces(q.text, text) if strict else [w for w in q.words if w in text]
            for word, official in q.synonyms.items():
                shown = [t for t in official if term_shown(t, text, strict)]
                if shown:
                    out.append(f"{word}→{'、'.join(shown)}")
            if out:
                return out
        # a weak hit: the characters it shares with the query, which is all there is to say
        return [c for c in dict.fromkeys(unigrams(q.text)) if c in text]


def _weigh_phrase_parts(weights: dict[str, dict[str, float]], pairs: list[tuple[str, str]]) -> None:
    """Count the user's words that are only parts of an everyday phrase the synonyms know at ``PHRASE_PART_WEIGHT``.

    An everyday phrase means what the table says, not what its parts mean: 小广告 are leaflets stuck on walls
    (张贴宣传品), not the 广告 of 户外广告审批; 烧稻草 is 焚烧秸秆. A part that the phrase's official terms also hold
    (油烟 in 饭店油烟 → 油烟净化设施) keeps its full weight, and so does a part another phrase uses that way.
    """
    by_word: dict[str, set[str]] = {}
    for word, term in pairs:
        by_word.setdefault(word, set()).add(term)
    if not by_word:
        return
    for channel in (WORD, BIGRAM):
        for t in weights.get(channel, {}):
            holders = [official for word, official in by_word.items() if any(t in part for part in word.split(GAP))]
            if holders and not any(t in term for official in holders for term in official):
                weights[channel][t] = min(weights[channel][t], PHRASE_PART_WEIGHT)


def _ticket_note(cosine: float, ticket: Ticket) -> str:
    words = ticket.text if len(ticket.text) <= 30 else ticket.text[:29] + "…"
    return f"相似工单 similar ticket {cosine:.2f}：「{words}」（{ticket.source}）"


def _phrase_note(cosine: float, phrase: str) -> str:
    words = phrase if len(phrase) <= 30 else phrase[:29] + "…"
    return f"常见说法 everyday phrasing {cosine:.2f}：「{words}」"


def _meaning(fields: Mapping[str, str]) -> str:
    """What a matter's sentence vector is made of: its name, and its sub-item when it has one."""
    return fields["name"] + (f"：{fields['sub_item']}" if fields.get("sub_item") else "")


def _fields(m: Mapping[str, Any], forms: dict[str, str]) -> dict[str, str]:
    """A matter's searchable fields in search form (``forms`` remembers texts already converted); domain and
    category share one field, both place the matter."""
    basis = _ARTICLE.sub(" ", str(m.get("legal_basis") or ""))[:MAX_BASIS_CHARS]
    raw = {"name": m.get("name"), "sub_item": m.get("sub_item"),
           "class": " ".join(str(m[k]) for k in ("domain", "category") if m.get(k)), "legal_basis": basis}
    out = {}
    for f, text in raw.items():
        text = str(text) if text else ""
        if text not in forms:
            forms[text] = search_form(text)
        out[f] = forms[text]
    return out


__all__ = ["Hit", "MatterIndex", "Recall", "Synonyms", "asks_for_permit", "searchable", "load_synonyms",
           "shipped_synonyms", "strip_framing"]
