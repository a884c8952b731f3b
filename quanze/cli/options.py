"""Options several commands share, declared once; and the two things every command does with them: open the store,
print the answer (JSON or text). Values are read by ``api.inputs`` in the library, not here."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, Callable

from quanze.graph.store import Store, open_store

EPILOG = "存储地址默认为 ./quanze.db，或环境变量 QUANZE_STORE。The store defaults to ./quanze.db or $QUANZE_STORE."


def store(p: argparse.ArgumentParser) -> None:
    p.add_argument("--store", metavar="URL",
                   help="存储地址 store URL: sqlite:///path.db 或 or bolt://host:port (默认 default ./quanze.db 或 or "
                        "$QUANZE_STORE)")


def as_json(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="输出 JSON / print JSON instead of text")


def json_or_xlsx(p: argparse.ArgumentParser) -> None:
    """``--json`` or ``--xlsx FILE`` (one of them): what ``emit_or_export`` reads."""
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="输出 JSON / print JSON")
    out.add_argument("--xlsx", metavar="FILE", help="导出 Excel / export an Excel workbook")


def as_of(p: argparse.ArgumentParser, help_zh: str = "日期（默认今天）", help_en: str = "date (default today)") -> None:
    p.add_argument("--as-of", metavar="DATE", help=f"{help_zh}，如 2025-06-01、2025年6月1日 / {help_en}, e.g. "
                                                   "2025-06-01")


def within(p: argparse.ArgumentParser, help_zh: str, help_en: str, dest: str = "within",
           required: bool = False) -> None:
    p.add_argument("--in", dest=dest, required=required, metavar="REGION",
                   help=f"{help_zh}（名称或区划代码，如 城关镇、青岚县城关镇、990701001）/ {help_en} (name or code)")


def search(p: argparse.ArgumentParser) -> None:
    """The words-to-matters options of who and dispatch."""
    p.add_argument("--synonyms", action="append", default=[], metavar="FILE",
                   help="补充同义词表（YAML）/ an extra synonym file (YAML)")
    phrases(p)
    tickets(p)


def phrases(p: argparse.ArgumentParser) -> None:
    p.add_argument("--phrases", action="append", default=[], metavar="FILE",
                   help="本县的短语库（YAML，与随包的 api/data/phrases.yaml 同样格式：matter、phrases）/ the county's own "
                        "phrase bank (YAML, shaped as the shipped api/data/phrases.yaml: matter, phrases)")


def asking(p: argparse.ArgumentParser, text_zh: str, text_en: str, where_zh: str, where_en: str) -> None:
    """What ``who`` and ``dispatch`` take: the words, the place, the date, the search's files, the store, JSON."""
    p.add_argument("text", metavar="TEXT", help=f"{text_zh} / {text_en}")
    within(p, where_zh, where_en, dest="region", required=True)
    as_of(p, "按此日期判断下放和收回是否有效（默认今天）", "date for delegations and recalls (default today)")
    search(p)
    store(p)
    as_json(p)


def tickets(p: argparse.ArgumentParser) -> None:
    p.add_argument("--tickets", action="append", default=[], metavar="FILE",
                   help="历史工单（XLSX/CSV：诉求内容、事项；或问题集 YAML），需要语义模型 / past tickets (XLSX/CSV with "
                        "诉求内容 and 事项 columns, or a question-set YAML); needs the semantic model")


def paths(p: argparse.ArgumentParser) -> None:
    p.add_argument("--via", action="append", metavar="KINDS",
                   help="只经过这些关系类型（逗号分隔，可重复）/ only through these relation kinds (comma-separated)")
    p.add_argument("--max-hops", default=6, metavar="N", help="最多跳数（默认6，最多20）/ hop limit (default 6, at "
                                                               "most 20)")


def search_files(args: argparse.Namespace) -> dict[str, list[Path]]:
    """The synonym, ticket and phrase files ``--synonyms``, ``--tickets`` and ``--phrases`` gave, as
    ``who``/``dispatch`` take them."""
    return {"synonym_files": [Path(f) for f in getattr(args, "synonyms", [])],
            "ticket_files": [Path(f) for f in getattr(args, "tickets", [])],
            "phrase_files": [Path(f) for f in getattr(args, "phrases", [])]}


def reading(args: argparse.Namespace) -> Store:
    """The store a command reads: it must exist (``quanze demo`` or ``quanze ingest`` make one)."""
    return open_store(args.store, create=False)


def emit_or_export(args: argparse.Namespace, data: Any, text: Callable[[Any], str],
                   write_xlsx: Callable[[Any, str], Path]) -> None:
    """The answer as ``emit`` prints it, or with ``--xlsx FILE`` written there (the library's writer) and said."""
    if getattr(args, "xlsx", None):
        path = write_xlsx(data, args.xlsx)
        print(f"已导出到 {path} / exported to {path}")
    else:
        emit(args, data, text)


def emit(args: argparse.Namespace, data: Any, text: Callable[[Any], str]) -> None:
    """The answer: JSON with ``--json``, else the text a person reads."""
    if getattr(args, "json", False):
        print(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        print(text(data))
