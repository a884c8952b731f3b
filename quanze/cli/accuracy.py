"""``quanze accuracy``: how well ``who`` answers a question set, on its development or held-out half."""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from quanze.cli import options
from quanze.cli.text import accuracy_text, replay_text


def register(sub: argparse._SubParsersAction) -> None:
    from quanze.api.accuracy import SPLITS

    p = sub.add_parser("accuracy", help="用问题集衡量“谁负责”的准确率 / measure who-handles-this accuracy",
                       description="对问题集（默认示例县的 demo/questions.yaml）逐题提问，报告事项和牵头机构的 top-1、"
                                   "top-3 准确率；或用 --write 只写出其中一半。见 docs/accuracy.md。Ask every question of a "
                                   "question set (default: the demo county's) and report top-1 and top-3 accuracy for the "
                                   "matter and the lead agency; or, with --write, only write one half out. See "
                                   "docs/accuracy.md.", epilog=options.EPILOG)
    p.add_argument("--questions", metavar="FILE", action="append",
                   help="问题集 YAML，可重复给出（按给出的顺序连在一起）/ question set (default demo/questions.yaml); may be "
                        "repeated, the sets taken in the order given")
    p.add_argument("--shuffle", type=int, metavar="SEED",
                   help="按这个种子打乱题目顺序（回放时用：同一种子总是同样的顺序）/ shuffle the questions with this seed (for "
                        "--replay: one seed, one order)")
    p.add_argument("--split", choices=SPLITS, default="all",
                   help="只用开发集或留出集（按事项哈希划分，见 docs/accuracy.md）/ only the development or the held-out "
                        "half (see docs/accuracy.md)")
    p.add_argument("--write", metavar="FILE", help="只把该半问题集写成文件，不评测 / only write the half out as a "
                                                   "question set, measure nothing")
    p.add_argument("--replay", metavar="FILE", help="学习曲线：按顺序提问，每答一题就把正确事项登记为确认工单（写入这个新文件），"
                                                    "报告前100题、其后200题和其余的 top-1 / a learning curve: ask in order, "
                                                    "confirm each true matter into this new ticket file after answering, "
                                                    "report top-1 over the first 100, the next 200 and the rest")
    options.as_of(p)
    p.add_argument("--misses", type=int, default=0, metavar="N",
                   help="列出前N道牵头机构没排第一的题（默认不列：留出集的题读过就不再是留出集）/ list the first N questions "
                        "whose lead is not first (default none: a held-out question once read is held out no more)")
    options.phrases(p)
    options.tickets(p)
    options.store(p)
    options.as_json(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from quanze.api.accuracy import evaluate, load_questions, replay, split_questions, write_half
    from quanze.demo import demo_questions

    questions = [q for path in (args.questions or [demo_questions()]) for q in load_questions(Path(path))]
    if args.shuffle is not None:
        random.Random(args.shuffle).shuffle(questions)
    phrase_files = [Path(f) for f in args.phrases]
    if args.write:
        n = write_half(questions, args.split, Path(args.write))
        print(f"已写出 {n} 道题（{args.split}）→ {args.write} / {n} questions ({args.split}) written to {args.write}")
        return 0
    if args.replay:
        with options.reading(args) as store:
            curve = replay(store, split_questions(questions, args.split), Path(args.replay), as_of=args.as_of,
                           phrase_files=phrase_files)
        options.emit(args, curve, replay_text)
        return 0
    with options.reading(args) as store:
        data = evaluate(store, questions, as_of=args.as_of, split=args.split,
                        ticket_files=[Path(f) for f in args.tickets], phrase_files=phrase_files)
    if not args.json:
        data["misses"] = data["misses"][:max(args.misses, 0)]
    options.emit(args, data, accuracy_text)
    return 0
