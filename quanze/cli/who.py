"""``quanze who``: a citizen's words and a place in, the responsible agencies out."""

from __future__ import annotations

import argparse

from quanze.cli import options
from quanze.cli.text import who_text


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("who", help="这件事在这里谁负责 / who handles this, here",
                       description="用群众或工作人员的话描述一件事，给出负责的机构、角色、依据、下放链条和来源行（规则见 "
                                   "docs/domain.md §4）。Describe a matter in a citizen's or an official's words; get the "
                                   "responsible agencies with role, legal basis, delegation chain and source rows (rules: "
                                   "docs/domain.md §4).", epilog=options.EPILOG)
    options.asking(p, "描述，如“村里有人没批就盖房子”", "the words, e.g. 占道经营", "乡镇（或县）", "the township (or county)")
    p.add_argument("--limit", default=3, metavar="N", help="显示前N个事项（默认3，最多50）/ show the top N matters")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import threading

    from quanze.api import semantic

    # the model loads (onnxruntime, a fifth of a second) while jieba, the store and the index are read
    threading.Thread(target=semantic.embedder, name="quanze-model", daemon=True).start()
    from quanze.api.who import who

    with options.reading(args) as store:
        data = who(store, args.text, args.region, as_of=args.as_of, limit=args.limit, **options.search_files(args))
    options.emit(args, data, who_text)
    return 0
