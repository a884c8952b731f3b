"""Property values as the stores keep them, by the schema's property types (``graph/schema.py`` ``TYPES``).

The embedded store keeps plain SQLite values (``to_plain`` / ``from_plain``): dates as ISO text, lists and json as
JSON text, booleans as 0/1. The Neo4j store keeps native values where Neo4j has them (``graph/neo4j_store.py``) and
compares its content with the embedded store's in these plain values, so both stores' ``content()`` agree.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from quanze.graph.schema import Prop


def to_plain(prop: Prop, value: Any) -> Any:
    """A Python value as the embedded store keeps it."""
    if value is None:
        return None
    if prop.type in ("list", "json"):
        return json.dumps(list(value) if prop.type == "list" else value, ensure_ascii=False, sort_keys=True,
                          default=json_default)
    if prop.type == "date":
        return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else str(value)
    if prop.type == "bool":
        return int(bool(value))
    if prop.type == "int":
        return int(value)
    return str(value)


def from_plain(prop: Prop, value: Any) -> Any:
    """A value the embedded store kept, as Python."""
    if value is None:
        return None
    if prop.type in ("list", "json"):
        return json.loads(value)
    if prop.type == "date":
        return dt.date.fromisoformat(value)
    if prop.type == "bool":
        return bool(value)
    return value


def json_default(value: Any) -> Any:
    """Dates inside json properties (a replaced list's assertions) are kept as ISO text."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
