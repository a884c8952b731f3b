"""An upload as the web application's upload page (``/upload``) does it: a dry run of the files with its change
report, and the load only when the dry run is still exactly the one previewed (its fingerprint: the files' SHA-256
and the whole dry-run report) and, when current assertions would be removed or changed, the removal is confirmed.

    upload_files(store, paths, folder, digests, load=False, confirmed=False, expected="", kind=, region=, version=)
        -> (preview, outcome)

``preview``: per file its ``FileReport.to_dict()`` (the temporary folder taken out of every path; each change's
items cut at ``SHOWN_ITEMS`` with ``<key>_more``; item regions named), ``removes`` (assertions removed or changed),
``orphans`` (duties left without a lead), ``ok``, ``fingerprint``. ``outcome``: ``loaded``, ``status`` (200, or 409
when a load is refused), ``refused`` (changed | rejected | unconfirmed), ``zh``/``en``, ``result`` and ``log`` (what
the write log records), and after a load ``written`` and ``files``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from quanze.graph.store import Store
from quanze.ingest.pipeline import ingest_paths

SHOWN_ITEMS = 50  # changes of each kind (added, removed, changed, orphans) a preview lists before "and N more"


def preview_view(report: Any, folder: str, digests: list[tuple[str, str]],
                 region_names: dict[str, str]) -> dict[str, Any]:
    """What the page shows of a dry run: per file its report (the temporary folder taken out of every path), the
    counts of the changes, whether anything would be removed, and the fingerprint a load must match. The regions of
    a change's items are named (``region_names``: code → name), never bare codes."""
    raw = json.dumps(report.to_dict(), ensure_ascii=False, sort_keys=True, default=str).replace(folder + "/", "")
    data = json.loads(raw.replace(folder, ""))
    fingerprint = hashlib.sha256(json.dumps([digests, data], ensure_ascii=False, sort_keys=True)
                                 .encode("utf-8")).hexdigest()
    removed = orphans = 0
    for f in data["files"]:
        for c in f["changes"]:
            removed += c["assertions"]["removed"] + c["assertions"]["changed"]
            orphans += c["counts"]["orphans"]
            for key in ("added", "removed", "changed", "orphans"):
                c[f"{key}_more"] = max(0, len(c[key]) - SHOWN_ITEMS)
                c[key] = c[key][:SHOWN_ITEMS]
                for item in c[key]:
                    item["regions"] = [r if isinstance(r, dict) else {"code": r, "name": region_names.get(str(r))}
                                       for r in item.get("regions") or []]
    return {"ok": data["ok"], "files": data["files"], "removes": removed, "orphans": orphans,
            "fingerprint": fingerprint, "store": data["store"]}


def upload_files(store: Store, paths: list[Path], folder: str, digests: list[tuple[str, str]], *, load: bool = False,
                 confirmed: bool = False, expected: str = "", kind: str | None = None, region: str | None = None,
                 version: str | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The dry run and, when ``load`` and still the same as previewed (``expected``: the preview's fingerprint), the
    load. ``kind``, ``region``, ``version``: as ``quanze ingest``'s options, for every file."""
    given_as = {"kind": kind, "region": region, "version": version}

    dry = ingest_paths(paths, store, dry_run=True, replace=True, **given_as)
    preview = preview_view(dry, folder, digests, {r["code"]: r.get("name") for r in store.nodes("Region")})
    summary = {"files": [{"name": n, "sha256": d} for n, d in digests], "removes": preview["removes"],
               "orphans": preview["orphans"]}
    if not load:
        return preview, {"loaded": False, "status": 200, "result": "ok", "log": summary}
    refusal = None
    if expected != preview["fingerprint"]:
        refusal = ("changed", "文件或存储自预览以来有变化（或未先预览）：未写入任何内容，请看下面新的预览后再装载",
                   "the files or the store changed since the preview (or there was none): nothing was written; "
                   "look at the new preview below and load again")
    elif not preview["ok"]:
        refusal = ("rejected", "有文件不能装载（见下面的错误）：未写入任何内容",
                   "a file cannot be loaded (see its errors below): nothing was written")
    elif preview["removes"] and not confirmed:
        refusal = ("unconfirmed", f"此次装载将移除或改动 {preview['removes']} 条现有断言，需要勾选确认：未写入任何内容",
                   f"this load removes or changes {preview['removes']} existing assertions and needs the "
                   "confirmation box ticked: nothing was written")
    if refusal:
        code, zh, en = refusal
        return preview, {"loaded": False, "status": 409, "refused": code, "zh": zh, "en": en,
                         "result": f"refused: {code}", "log": summary}
    report = ingest_paths(paths, store, replace=bool(preview["removes"]), **given_as)
    written = sum(report.written.values())
    ok = report.ok
    return preview, {"loaded": ok, "status": 200 if ok else 409, "written": report.written,
                     "result": "ok" if ok else "refused: rejected",
                     "log": summary | {"written": written},
                     "zh": None if ok else "装载未完成：未写入任何内容", "en": None if ok else
                     "the load did not complete: nothing was written",
                     "files": [{"file": Path(f.file).name, "status": f.status, "rows": f.rows}
                               for f in report.files]}


__all__ = ["SHOWN_ITEMS", "preview_view", "upload_files"]
