"""上传 Upload: ``/upload`` (editors only; a reader is refused, somebody not signed in is asked to sign in). Choose
files, see the dry run of each — kind, lists with region and version, rows, located problems, and the change report
(``ingest_paths(..., dry_run=True)``'s CHANGE: assertions added, removed and changed, duties that would become
orphans) — then load them: the same form again with the same files, re-validated in that request and loaded only when
the dry run is exactly the one previewed (its fingerprint) and, when assertions would be removed, the confirmation box
is ticked. The files live in a temporary folder for the one request only. Every preview and every load is logged in
the write log (who, when, which files, the result).
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from quanze.api.web.site import Site, page
from quanze.errors import BadValue

MAX_FILES = 20  # files in one upload
CONFIRM = "yes"


def _file_name(name: str, taken: set[str]) -> str:
    """A file's own name (no folder), kept as the person's file is called (its name says the list for the ingest),
    made unique in the request's folder."""
    base = re.sub(r"[\x00-\x1f/\\]", "_", Path(str(name).replace("\\", "/")).name).strip(". ") or "file"
    stem, suffix = Path(base).stem, Path(base).suffix
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{stem}-{n}{suffix}"
    taken.add(name)
    return name


def register(app: FastAPI, site: Site) -> None:
    @app.get("/upload", response_class=HTMLResponse, include_in_schema=False)
    @page
    def upload_form(request: Request) -> Response:
        site.require(request, "editor", "upload", "/upload")
        return site.render(request, "upload.html", preview=None, outcome=None, max_files=MAX_FILES, given_as={})

    @app.post("/upload", response_class=HTMLResponse, include_in_schema=False)
    @page
    async def upload(request: Request) -> Response:
        me = site.require(request, "editor", "upload", "/upload")
        async with request.form(max_files=MAX_FILES, max_fields=50) as fields:
            action = str(fields.get("action") or "preview")
            confirmed = fields.get("confirm") == CONFIRM
            expected = str(fields.get("fingerprint") or "")
            given_as = {k: str(fields.get(k) or "").strip() or None for k in ("kind", "region", "version")}
            given = [f for f in fields.getlist("files") if isinstance(f, UploadFile) and f.filename]
            if not given:
                raise BadValue("请选择要上传的文件", "choose the files to upload")
            with tempfile.TemporaryDirectory(prefix="quanze-upload-") as folder:
                taken: set[str] = set()
                paths, digests = [], []
                for f in given:
                    path = Path(folder) / _file_name(f.filename or "", taken)
                    data = await f.read()
                    path.write_bytes(data)
                    paths.append(path)
                    digests.append((path.name, hashlib.sha256(data).hexdigest()))
                names = "、".join(p.name for p in paths)
                result = await run_in_threadpool(_work, site, request, paths, folder, digests, action, confirmed,
                                                 expected, given_as)
        preview, outcome = result
        site.state.log(me.name, site.client(request), "upload" if action == "load" else "upload-preview", names,
                       outcome["log"], result=outcome["result"])
        return site.render(request, "upload.html", status=outcome["status"], preview=preview, outcome=outcome,
                           max_files=MAX_FILES, given_as=given_as)


def _work(site: Site, request: Request, paths: list[Path], folder: str, digests: list[tuple[str, str]], action: str,
          confirmed: bool, expected: str, given_as: dict[str, str | None]) -> tuple[dict[str, Any], dict[str, Any]]:
    from quanze.api.upload import upload_files

    with site.store(request) as store:
        return upload_files(store, paths, folder, digests, load=action == "load", confirmed=confirmed,
                            expected=expected, **given_as)


__all__ = ["register"]
