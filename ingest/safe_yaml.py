"""Reading the YAML files users write (structure files, ``NAME.meta.yaml`` sidecars) safely.

``BoundedLoader`` is PyYAML's safe loader (no Python objects) that also refuses aliases (``*name``): nothing a structure
or a sidecar says needs them, and nested aliases are how a 600-byte file expands to billions of entries ("billion
laughs"). It refuses nesting deeper than ``limits.MAX_YAML_DEPTH`` (the parser would otherwise recurse until Python's
stack gives out), and strips invisible characters (zero-width, bidirectional controls) from every string, as
``graph.text.clean_text`` does for cells. ``read_yaml_text`` refuses a file over ``limits.MAX_YAML_BYTES`` before it
is read. Each refusal is a located, bilingual ``InputError``.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

import yaml

from quanze.errors import InputError, Problem
from quanze.graph.text import strip_invisible

from . import limits


class YamlRefused(yaml.YAMLError):
    """Something the loader refuses on purpose; ``problem(file)`` says what, where and what to write instead."""

    def __init__(self, code: str, zh: str, en: str, line: int | None, value: str | None = None,
                 expected: str | None = None):
        super().__init__(en)
        self.code, self.zh, self.en, self.line, self.value, self.expected = code, zh, en, line, value, expected

    def problem(self, file: str) -> Problem:
        return Problem("error", self.code, self.zh, self.en, file=file, row=self.line, value=self.value,
                       expected=self.expected)


class BoundedLoader(yaml.SafeLoader):
    """The safe loader, without aliases, with a nesting cap, with strings stripped of invisible characters."""

    def __init__(self, stream: Any):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise YamlRefused(
                "yaml-alias", f"不支持 YAML 别名（*{event.anchor}）：请把内容直接写出",
                f"YAML aliases (*{event.anchor}) are not supported: write the content out", event.start_mark.line + 1,
                f"*{event.anchor}", "不含 & 锚点和 * 别名的 YAML / YAML without &anchors and *aliases")
        self._depth += 1
        try:
            if self._depth > limits.MAX_YAML_DEPTH:
                mark = self.peek_event().start_mark
                raise YamlRefused(
                    "yaml-too-deep", f"YAML 嵌套过深（超过 {limits.MAX_YAML_DEPTH} 层）",
                    f"the YAML nests too deep (more than {limits.MAX_YAML_DEPTH} levels)", mark.line + 1,
                    expected=f"至多 {limits.MAX_YAML_DEPTH} 层 / at most {limits.MAX_YAML_DEPTH} levels")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_yaml_str(self, node: Any) -> str:
        text = strip_invisible(super().construct_yaml_str(node))
        return text if text.isascii() else unicodedata.normalize("NFC", text)


BoundedLoader.add_constructor("tag:yaml.org,2002:str", BoundedLoader.construct_yaml_str)


def read_yaml_text(path: Path, code: str = "file-too-large") -> str:
    """The text of a YAML file (UTF-8, with or without BOM), refused when over ``limits.MAX_YAML_BYTES``. Decoding
    errors are left to the caller (``UnicodeDecodeError``), which knows what the file is."""
    size = path.stat().st_size
    if size > limits.MAX_YAML_BYTES:
        raise InputError(Problem(
            "error", code, f"YAML 文件太大（{size:,} 字节，上限 {limits.MAX_YAML_BYTES:,} 字节）",
            f"the YAML file is too large ({size:,} bytes, the limit is {limits.MAX_YAML_BYTES:,})", file=path.name,
            value=size, expected=f"至多 {limits.MAX_YAML_BYTES:,} 字节 / at most {limits.MAX_YAML_BYTES:,} bytes"))
    return path.read_text(encoding="utf-8-sig")
