"""docs/schema.md, generated from the schema declaration (``quanze schema``); a test fails when the file is stale."""

from __future__ import annotations

from quanze.graph.schema import AGENCY_KINDS, REL_GROUPS, SCHEMA


def schema_markdown() -> str:
    out = ["# 图谱模式 Graph schema", "",
           "由 `graph/schema.py` 生成，请勿手工编辑：运行 `quanze schema > docs/schema.md`。",
           "Generated from `graph/schema.py`; do not edit by hand: run `quanze schema > docs/schema.md`.", "",
           "## 节点 Nodes", ""]
    for n in SCHEMA.nodes:
        out += [f"### {n.label}", "", n.description, "", f"Key: `{n.key}`"
                + (f"; full-text: {', '.join(f'`{f}`' for f in n.fulltext)}" if n.fulltext else ""), "",
                "| property | type | required | indexed | description |", "| --- | --- | --- | --- | --- |"]
        for p in n.properties:
            out.append(f"| `{p.name}` | {p.type} | {'yes' if p.required or p.name == n.key else ''} | "
                       f"{'yes' if p.indexed else ''} | {p.description} |")
        out.append("")
    out += ["### Agency kinds", "", "| kind | meaning |", "| --- | --- |"]
    out += [f"| `{k}` | {v} |" for k, v in AGENCY_KINDS.items()]
    out += ["", "## 关系 Relations", "", "Each relation kind belongs to one group; code asks for relations by group "
            "(`SCHEMA.types(\"assignment\")`).", "", "| group | relations | meaning |", "| --- | --- | --- |"]
    out += [f"| `{g}` | {', '.join(f'`{t}`' for t in SCHEMA.types(g))} | {meaning} |" for g, meaning in REL_GROUPS.items()]
    out.append("")
    for r in SCHEMA.relations:
        out += [f"### ({r.source})-[:{r.type}]->({r.target})", "", f"{r.label_zh} / {r.label_en} · group `{r.group}`",
                "", r.description, "",
                "| property | type | required | indexed | description |", "| --- | --- | --- | --- | --- |"]
        for p in r.properties:
            out.append(f"| `{p.name}` | {p.type} | {'yes' if p.required else ''} | {'yes' if p.indexed else ''} | "
                       f"{p.description} |")
        out.append("")
    return "\n".join(out)
