"""``quanze model``: fetch (or install from a copied jar) and check the semantic search model."""

from __future__ import annotations

import argparse
from pathlib import Path

from quanze.cli import options
from quanze.cli.text import model_text


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("model", help="语义检索模型：下载、查看 / the semantic search model: fetch, status",
                       description="“谁负责”可用一个中文句向量模型（bge-small-zh-v1.5，ONNX）按意思检索事项。"
                                   "fetch 从 Maven Central 下载一次（或用 --jar 指定拷来的文件），校验 SHA-256 后解压到 "
                                   "~/.cache/quanze/models（或 $QUANZE_MODEL_DIR）；之后完全离线。没有模型时按字词和同义词检索。"
                                   "who can rank matters by meaning with a Chinese sentence-embedding model "
                                   "(bge-small-zh-v1.5, ONNX). fetch downloads it once from Maven Central (or takes a "
                                   "copy with --jar), checks its SHA-256 and unpacks it under ~/.cache/quanze/models (or "
                                   "$QUANZE_MODEL_DIR); everything after that is offline. Without it, search uses words "
                                   "and synonyms only.")
    p.add_argument("action", choices=["fetch", "status"], help="fetch 下载并安装 / download and install; status 查看 / "
                                                                "show what is installed")
    p.add_argument("--jar", metavar="FILE", help="用本地的模型 jar，不下载 / install from a local copy of the jar")
    p.add_argument("--repo", metavar="URL", default=None,
                   help="Maven 仓库地址（默认 Maven Central）/ a Maven repository (default Maven Central)")
    options.as_json(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from quanze.api import semantic

    if args.action == "fetch" and (args.jar or not semantic.installed() or args.repo):
        semantic.fetch(jar=Path(args.jar) if args.jar else None, repo=args.repo or semantic.MAVEN_CENTRAL)
    options.emit(args, semantic.status(), model_text)
    return 0
