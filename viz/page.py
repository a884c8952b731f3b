"""A graph view as one self-contained HTML page that works offline and cannot be made to run what the data says.

pyvis's own template cannot be used as it is: even with ``cdn_resources="in_line"`` it loads Bootstrap from a CDN
(and, with menus, tom-select), renders the heading without escaping, and writes files in the locale's encoding. So
the page is our template (``templates/view.html``, Jinja with autoescape on), with vis-network's script and style
taken from the pyvis package and put in-line, and:

- the data (nodes, edges, options) is JSON in a ``<script type="application/json">`` block, with ``<``, ``>``, ``&``
  and the JavaScript line separators written as ``\\uXXXX`` escapes: a name such as ``</script><script>…`` stays a
  string and cannot close the block;
- tooltips are plain text turned into text nodes by ``view.js`` (vis-network 9 shows a string tooltip as text too),
  so a name with markup is shown, never interpreted;
- a Content-Security-Policy allows only the page's own scripts (by their SHA-256), no request anywhere
  (``default-src 'none'``), styles in-line and images from ``data:`` only. Anything blocked is recorded on
  ``<html data-blocked>``.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from quanze import __version__
from quanze.viz.style import legend_order
from quanze.viz.view import VIEW_KINDS, GraphView

TEMPLATES = Path(__file__).parent / "templates"
VIS_VERSION = "9.1.2"


class AssetError(RuntimeError):
    """A bundled script or style that cannot be put in-line safely (it would close its own element)."""


def script_json(data: Any) -> str:
    """JSON safe inside a ``<script>`` element: no ``<``, ``>`` or ``&`` survives, so nothing can close it."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                    ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text


def _inline(text: str, element: str, name: str) -> str:
    if f"</{element}" in text.lower():
        raise AssetError(f"{name} contains </{element}: it cannot be put in-line")
    return text


@lru_cache(maxsize=1)
def _assets() -> dict[str, str]:
    import pyvis

    lib = Path(pyvis.__file__).parent / "templates" / "lib"
    vis = lib / f"vis-{VIS_VERSION}"
    if not vis.is_dir():
        raise AssetError(f"pyvis {getattr(pyvis, '__version__', '?')} does not ship vis-network {VIS_VERSION}: "
                         f"install the pyvis version pyproject.toml names")
    read = {
        "vis": (vis / "vis-network.min.js", "script"), "vis_css": (vis / "vis-network.css", "style"),
        "utils": (lib / "bindings" / "utils.js", "script"), "guard": (TEMPLATES / "guard.js", "script"),
        "view": (TEMPLATES / "view.js", "script"), "page_css": (TEMPLATES / "view.css", "style"),
    }
    return {key: _inline(path.read_text(encoding="utf-8"), element, path.name) for key, (path, element) in
            read.items()}


def _sha256(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"


@lru_cache(maxsize=1)
def _template() -> Any:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined)
    return env.get_template("view.html")


@lru_cache(maxsize=1)
def content_security_policy() -> str:
    assets = _assets()
    hashes = " ".join(_sha256(assets[k]) for k in ("guard", "vis", "utils", "view"))
    return (f"default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; img-src data:; font-src data:; "
            f"base-uri 'none'; form-action 'none'")


def render_html(view: GraphView) -> str:
    """The page for a view, as text."""
    assets = _assets()
    nodes, edges, _heading, _height, _width, options = view.net.get_network_data()
    data = {"nodes": nodes, "edges": edges, "options": json.loads(options)}
    legend_nodes = [view.legend_nodes[k] for k in sorted(view.legend_nodes, key=legend_order)]
    legend_edges = [(look.zh, look.en, look.color, look.dashes) for look in view.legend_edges.values()]
    return _template().render(
        csp=content_security_policy(), version=__version__, kind=view.kind, subject=view.subject,
        kind_zh=VIEW_KINDS[view.kind][0], kind_en=VIEW_KINDS[view.kind][1], title_zh=view.title_zh,
        title_en=view.title_en, counts=view.counts(), omitted=view.omitted, notes=view.notes,
        generated=dt.datetime.now().strftime("%Y-%m-%d %H:%M"), legend_nodes=legend_nodes,
        legend_edges=legend_edges, data=script_json(data), vis_css=assets["vis_css"], page_css=assets["page_css"],
        scripts={k: assets[k] for k in ("guard", "vis", "utils", "view")})


def write_html(view: GraphView, path: str | Path) -> Path:
    """Write the page (UTF-8) and return its path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(view), encoding="utf-8")
    return path
