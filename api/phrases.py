"""The phrase bank (短语库): everyday phrasings of matters, keyed by the matter's normalised name.

A citizen says 房本丢了怎么补; the list says 不动产登记. ``data/phrases.yaml`` holds, for each matter of the standard
catalogue the demo county shares with real ones, a few sentences in the voices of residents, grid workers, village
cadres and shop owners (written from the matters' names, categories and duties, never from a question set; see
docs/accuracy.md). Keyed by ``graph.matters.norm_matter_name``, so that any county's matter of the same name benefits.

Search uses them two ways (``api/search.py``): with the semantic model each phrasing is compared with the query as a
past ticket is (its vector cached on disk beside the matters' names: it is shipped text, not a citizen's words);
without the model, the phrasings of a matter are one more field of its BM25F document, weighted below its name.

A county adds its own (``--phrases FILE``, the same shape); ``QUANZE_PHRASES=off`` turns the shipped bank off (a file
given with ``--phrases`` still counts: it was asked for).

Shape, YAML::

    - matter: 不动产登记          # the matter's name as a list writes it
      category: 行政确认          # optional, for the reader
      phrases:
      - 房本丢了怎么补
      - 买了二手房怎么过户办房产证
"""

from __future__ import annotations

import functools
import json
import os
import tempfile
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml

from quanze import settings
from quanze.errors import InputError, Problem
from quanze.graph.matters import norm_matter_name

SHIPPED = "data/phrases.yaml"
MAX_PHRASE = 200  # characters: a phrasing longer than a question (``api.inputs.question``) is a pasted document


@dataclass(frozen=True)
class Phrases:
    """Normalised matter name → its everyday phrasings (as written; search puts them in its own form)."""

    table: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __len__(self) -> int:
        return sum(len(v) for v in self.table.values())

    def of(self, norm_name: str) -> tuple[str, ...]:
        """The phrasings of the matter with this normalised name; a sub-item (``name/sub``) without phrasings of its
        own takes its item's."""
        found = self.table.get(norm_name)
        if found is None and "/" in norm_name:
            found = self.table.get(norm_name.split("/", 1)[0])
        return found or ()

    def merged(self, other: "Phrases") -> "Phrases":
        """Both banks; a matter in both gets the phrasings of each (a county's file adds, it never takes away)."""
        out = {k: list(v) for k, v in self.table.items()}
        for key, phrases in other.table.items():
            known = out.setdefault(key, [])
            known.extend(p for p in phrases if p not in known)
        return Phrases({k: tuple(v) for k, v in out.items()})


def _problem(path: Path, zh: str, en: str, row: int | None = None, value: Any = None) -> Problem:
    return Problem("error", "bad-phrases", zh, en, file=str(path), row=row, value=value,
                   expected="- matter: 事项名称\n  phrases: [说法, …]  (a list of {matter, phrases})")


def parse_phrases(data: Any, path: Path) -> Phrases:
    """The bank of one file; every wrong entry is named (file, entry number), nothing is half-read."""
    if data is None:
        return Phrases()
    if not isinstance(data, list):
        raise InputError(_problem(path, "短语文件应为列表，每项含 matter 和 phrases", "a phrase file is a list of "
                                  "{matter, phrases}", value=type(data).__name__))
    table: dict[str, list[str]] = {}
    problems = []
    for i, item in enumerate(data, 1):
        matter = item.get("matter") if isinstance(item, dict) else None
        phrases = item.get("phrases") if isinstance(item, dict) else None
        if isinstance(phrases, str):
            phrases = [phrases]
        if not isinstance(matter, str) or not norm_matter_name(matter) or not isinstance(phrases, list) \
                or not all(isinstance(p, str) for p in phrases):
            problems.append(_problem(path, f"第{i}项应含 matter（事项名称）和 phrases（说法列表）",
                                     f"entry {i} needs matter (a name) and phrases (a list of words)", row=i,
                                     value=str(item)[:120]))
            continue
        long = [p for p in phrases if len(p.strip()) > MAX_PHRASE]
        if long:
            problems.append(_problem(path, f"第{i}项有超过 {MAX_PHRASE} 字的说法", f"entry {i} has a phrasing over "
                                     f"{MAX_PHRASE} characters", row=i, value=long[0][:60] + "…"))
            continue
        known = table.setdefault(norm_matter_name(matter), [])
        known.extend(p for p in (" ".join(p.split()) for p in phrases) if p and p not in known)
    if problems:
        raise InputError(problems)
    return Phrases({k: tuple(v) for k, v in table.items() if v})


def _load(text: str, path: Path) -> Phrases:
    # libyaml's loader when PyYAML has it: the shipped bank is 6,000 lines, read by every `quanze who`
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        data = yaml.load(text, Loader=loader)  # noqa: S506 — a safe loader, C or Python
    except yaml.YAMLError as exc:
        raise InputError(_problem(path, f"短语文件不是有效的 YAML：{exc}", f"the phrase file is not valid YAML: {exc}"))
    return parse_phrases(data, path)


@functools.lru_cache(maxsize=1)
def shipped_phrases() -> Phrases:
    """The bank that ships with quanze (``api/data/phrases.yaml``); read once per process, never changed."""
    resource = resources.files("quanze.api").joinpath(SHIPPED)
    return _load(resource.read_text(encoding="utf-8"), Path(str(resource)))


def enabled() -> bool:
    """Whether the shipped bank is used (``QUANZE_PHRASES=off`` turns it off)."""
    return bool(settings.value("QUANZE_PHRASES"))


def load_phrases(paths: Iterable[Path] = ()) -> Phrases:
    """The shipped bank (unless turned off) plus the county's own files, in order."""
    bank = shipped_phrases() if enabled() else Phrases()
    for path in paths:
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise InputError(_problem(path, f"无法读取短语文件：{exc.strerror}",
                                      f"cannot read the phrase file: {exc.strerror}")) from exc
        bank = bank.merged(_load(text, path))
    return bank


class TermsCache:
    """The phrase bank's texts already cut into terms, on disk: cutting 6,645 phrasings with jieba took most of a second
    of every ``quanze who``, reading them back takes a small part of that. A file per way of cutting
    (``search_index.cutting``: jieba's version, the stop words), in ``~/.cache/quanze`` (``$XDG_CACHE_HOME``); public
    text only (the phrase bank's, shipped or a county's), never a ticket or a question. ``QUANZE_VECTOR_CACHE=off``
    turns it off with the vector cache; a file that cannot be read or written means no cache, not an error."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.terms: dict[str, dict[str, list[str]]] = {}
        self._read = 0
        if path is not None and path.is_file():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                if isinstance(data, dict):
                    self.terms = {k: v for k, v in data.items() if isinstance(v, dict)}
            except (OSError, ValueError):
                self.terms = {}
        self._read = len(self.terms)

    def save(self) -> None:
        """Write the file when texts were cut since it was read (all at once: a reader never sees half a file)."""
        if self.path is None or len(self.terms) == self._read:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=self.path.parent, delete=False,
                                             prefix=".terms-", suffix=".json") as f:
                json.dump(self.terms, f, ensure_ascii=False, separators=(",", ":"))
            os.replace(f.name, self.path)
            self._read = len(self.terms)
        except OSError:
            pass


_terms: dict[Path | None, TermsCache] = {}


def terms_cache() -> TermsCache:
    """This process's cache of cut phrase-bank texts (read from disk once)."""
    from quanze.api.search_index import cutting

    path = settings.cache_home() / "quanze" / f"phrase-terms-{cutting()}.json" \
        if settings.value("QUANZE_VECTOR_CACHE") else None
    if path not in _terms:
        _terms[path] = TermsCache(path)
    return _terms[path]


__all__ = ["Phrases", "TermsCache", "enabled", "load_phrases", "parse_phrases", "shipped_phrases", "terms_cache"]
