"""Benchmarks on the shipped corpus: build, cold starts, warm answers, and txtai side by side.

Every figure that depends on a fresh process (build, cold start) is measured on a real child
process: ``python -m assistant …`` or ``python app.py``, exactly what a user runs.
"""
from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np

from assistant.evaluate import metrics
from assistant.render import answer_to_dict
from assistant.service import Assistant, Conversation
from assistant.settings import PROJECT_ROOT, Settings

FIRST_QUESTION = "What did Mao propose on 13 January?"


def run_child(args: list[str], env: dict) -> tuple[float, float, str]:
    """Run a child to completion; returns (wall seconds, its peak RSS in MB, its stdout).

    The child is reaped with ``os.wait4``, which reports that child's own peak memory.

    Raises:
        RuntimeError: if the child fails.
    """
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(args, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} exited {proc.returncode}: {err.read()[-500:]}")
        return elapsed, round(usage.ru_maxrss / 1024), out.read()


def measure_build(env: dict, rebuilds: int = 5) -> dict:
    """Build the shipped corpus's index: once from nothing (torch, and the one-time ONNX export),
    then ``rebuilds`` times over it: `index` embeds every text again, with the reused export."""
    command = [sys.executable, "-m", "assistant", "index", "--quiet"]
    first, first_rss, _ = run_child(command, env)
    runs = [run_child(command, env) for _ in range(rebuilds)]
    return {"first_build_with_export_s": round(first, 2), "first_build_peak_rss_mb": first_rss,
            "build_s": round(statistics.median(r[0] for r in runs), 2),
            "build_s_min": round(min(r[0] for r in runs), 2),
            "build_peak_rss_mb": max(r[1] for r in runs)}


def measure_cold_cli(env: dict, runs: int = 5) -> dict:
    """Process start → first CLI answer printed (and the process gone)."""
    times = []
    for _ in range(runs):
        elapsed, _, out = run_child([sys.executable, "-m", "assistant", "ask", FIRST_QUESTION],
                                    env)
        if "rd-3" not in out:
            raise RuntimeError(f"unexpected first answer: {out[:300]}")
        times.append(elapsed)
    return {"cold_cli_s": round(statistics.median(times), 2), "cold_cli_s_min": round(min(times), 2)}


def measure_cold_ui(env: dict, runs: int = 3, limit: float = 120) -> dict:
    """Process start → the UI answers HTTP on its port (``python app.py``)."""
    times = []
    for _ in range(runs):
        port = _free_port()
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "app.py"], cwd=PROJECT_ROOT,
                                env=env | {"ASSISTANT_PORT": str(port)},
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"app.py exited: {proc.stderr.read()[-500:]}")
                if time.perf_counter() - started > limit:
                    raise RuntimeError("app.py did not serve in time")
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1) as reply:
                        if reply.status == 200:
                            break
                except OSError:
                    time.sleep(0.02)
            times.append(time.perf_counter() - started)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    return {"cold_ui_s": round(statistics.median(times), 2), "cold_ui_s_min": round(min(times), 2)}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def measure_ours(settings: Settings, items: list[dict], passes: int = 3) -> dict:
    """Warm end-to-end latency of ``Assistant.ask`` for every turn, and doc@1/doc@3.

    The first pass warms caches and is not counted; each later pass asks every question of
    the dev set again in a new conversation.
    """
    assistant = Assistant.open(settings)
    latencies: list[float] = []
    answers: dict[str, dict] = {}
    for number in range(passes):
        for item in items:
            conversation = Conversation(assistant)
            for turn in item.get("turns") or [item["question"]]:
                started = time.perf_counter()
                answer = conversation.ask(turn)
                if number:
                    latencies.append((time.perf_counter() - started) * 1000)
            answers[item["id"]] = answer_to_dict(answer, item["id"])
    corpus_text = "\n".join(d.text for d in assistant.index.documents.values())
    quality = metrics(items, answers, corpus_text)
    return {"encoder": type(assistant.embedder).__name__, "asks": len(latencies),
            "p50_ms": _pct(latencies, 50), "p95_ms": _pct(latencies, 95),
            "doc@1": quality["doc@1"], "doc@3": quality["doc@3"]}


def measure_txtai(index, items: list[dict], model_path: Path, passes: int = 3) -> dict:
    """txtai's hybrid index (BM25 + dense, same model, same chunks) on the same questions.

    A conversation's turns are joined into one query (txtai has no conversation state);
    doc@1/doc@3 use the documents of its top chunks as ours use the documents of our quotes.
    """
    import torch
    from txtai import Embeddings

    torch.set_num_threads(1)  # a single query is fastest on one thread here, as for ours
    started = time.perf_counter()
    embeddings = Embeddings({"path": str(model_path), "method": "sentence-transformers",
                             "hybrid": True, "content": False})
    loaded = time.perf_counter()
    torch.set_num_threads(os.cpu_count() or 1)
    embeddings.index([(chunk.id, chunk.text, None) for chunk in index.chunks])
    torch.set_num_threads(1)
    built = time.perf_counter()
    latencies: list[float] = []
    answers: dict[str, dict] = {}
    for number in range(passes):
        for item in items:
            query = " ".join(item.get("turns") or [item["question"]])
            t0 = time.perf_counter()
            hits = embeddings.search(query, 10)
            if number:
                latencies.append((time.perf_counter() - t0) * 1000)
            answers[item["id"]] = {"quotes": [{"doc_id": index.chunks[int(i)].doc_id, "text": ""}
                                              for i, _ in hits], "abstained": False}
    hits_docs = {"doc@1": 0, "doc@3": 0, "n": 0}
    for item in items:
        expected = set(item.get("expected_docs") or [])
        if not expected:
            continue
        docs = [q["doc_id"] for q in answers[item["id"]]["quotes"]]
        hits_docs["n"] += 1
        hits_docs["doc@1"] += bool(docs) and docs[0] in expected
        hits_docs["doc@3"] += any(d in expected for d in docs[:3])
    return {"load_s": round(loaded - started, 2), "index_s": round(built - loaded, 2),
            "asks": len(latencies), "p50_ms": _pct(latencies, 50), "p95_ms": _pct(latencies, 95),
            "doc@1": round(hits_docs["doc@1"] / hits_docs["n"], 3),
            "doc@3": round(hits_docs["doc@3"] / hits_docs["n"], 3)}


def measure_throughput(texts: list[str], index_dir: Path) -> dict:
    """Embedding throughput (chunks/s) of the first build's embedder (sentence-transformers)
    and of the ONNX export that rebuilds use, both on all cores."""

    from assistant.embed import PackagedMiniLM
    from assistant.onnx_encoder import OnnxMiniLM

    model = PackagedMiniLM()
    model.encode(texts[:64])  # loads the model and warms it up
    started = time.perf_counter()
    model.encode(texts)
    torch_rate = len(texts) / (time.perf_counter() - started)
    onnx = OnnxMiniLM(index_dir, threads=os.cpu_count() or 1)  # as a rebuild embeds
    onnx.encode(texts[:16])
    started = time.perf_counter()
    onnx.encode(texts)
    onnx_rate = len(texts) / (time.perf_counter() - started)
    return {"chunks": len(texts), "sentence_transformers_per_s": round(torch_rate, 1),
            "onnx_per_s": round(onnx_rate, 1)}


def _pct(values: list[float], q: int) -> float:
    return round(float(np.percentile(values, q)), 2)
