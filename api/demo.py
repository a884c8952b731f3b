"""The demo county (fictional 青岚县, code 990701, shipped in ``demo/``) loaded and tried: what ``quanze demo`` does,
as a library call the command line and the web application share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from quanze.graph.store import Store

DEMO_QUESTION = "村里有人没批就盖房子"
DEMO_TOWNSHIP = "城关镇"
# what a newcomer might ask first (``quanze demo`` prints them with links into the web workbench): a citizen's words
# and a township of the demo county — a clear answer (the township's own office), one where two bodies are close and
# the answer asks which was meant (the township's enforcement team under a delegation, or the county's environment
# bureau under the cooperation list), and a delegated power (柏溪镇综合行政执法大队)
EXAMPLE_QUESTIONS = (
    (DEMO_QUESTION, DEMO_TOWNSHIP),
    ("饭馆油烟熏得人受不了", DEMO_TOWNSHIP),
    ("村里的河道有人倒垃圾", "柏溪镇"),
)


@dataclass
class DemoRun:
    """The load's report, the store's summary, the example question's answer and the audit's counts by rule (the
    last two only when the load succeeded)."""

    report: Any  # ingest.pipeline.IngestReport
    summary: dict[str, Any]
    example: dict[str, Any] | None
    findings: dict[str, int]
    total_findings: int

    def to_dict(self) -> dict[str, Any]:
        return {"ingest": self.report.to_dict(), "summary": self.summary, "example": self.example,
                "audit": self.findings}


def load_demo(store: Store, progress: Callable[..., None] | None = None) -> DemoRun:
    """Load the demo county into ``store`` (loading it again changes nothing), then ask the example question and run
    the audit."""
    from quanze.api.audit import run_audit
    from quanze.api.describe import store_summary
    from quanze.api.who import who
    from quanze.demo import demo_path
    from quanze.ingest.pipeline import ingest_paths

    report = ingest_paths([demo_path()], store, progress=progress)
    summary = store_summary(store)
    if not report.ok:
        return DemoRun(report, summary, None, {}, 0)
    example = who(store, DEMO_QUESTION, DEMO_TOWNSHIP, limit=1)
    audit = run_audit(store)
    return DemoRun(report, summary, example, {r["rule"]: r["found"] for r in audit.rules}, len(audit.findings))
