"""Load and soak test of the web UI through gradio_client: many sessions, each its own conversation.

Every session asks a multi-turn conversation whose follow-ups are read against its own history.
Each session writes its questions with its own capitalisation of the leading question words
("wHaT dId Mao propose…"): the pipeline ignores it (the embedding model is uncased, BM25 and
the follow-up cues lower-case), but the answer's "Question read as: … (read as a follow-up to:
…)" line repeats the earlier question verbatim. So an answer whose reading names a question
this session never asked is a history leak between sessions, and a follow-up read without
any earlier question has lost its session's history.

Loopback only, bounded and self-stopping: it starts app.py on a free 127.0.0.1 port (or uses
``--url`` if that is a loopback address), runs ``--sessions`` × ``--turns`` questions and then
``--soak`` more, stops the app, and gives up on anything still running after ``--deadline``.

    .venv/bin/python scripts/load_test.py                      # 50 sessions × 3 turns
    .venv/bin/python scripts/load_test.py --soak 1000          # then 1,000 more, RSS before/after
"""
from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.render import escape_markdown  # noqa: E402
from assistant.serve import is_loopback  # noqa: E402

# Conversations on the shipped archive: each later turn is a follow-up of the one before.
ARCHIVE_CONVERSATIONS = [
    ("What did Mao propose on 13 January?", "How did Stalin respond?",
     "What did he write the next day?"),
    ("What did Stalin write on 10 January?", "How did Mao reply?",
     "How did Stalin respond to that?"),
    ("What did Mao write to Stalin on 14 January?", "How did Stalin answer?",
     "What did Stalin write the day before?"),
]


def mark(question: str, code: int) -> str:
    """Spell ``code`` in the capitalisation of ``question``'s lower-case words.

    Bit i of ``code`` upper-cases the i-th markable letter: every letter but the first of an
    all-lower-case word, and of the question's first word. First letters never change, so no
    word starts to look like a name; names, dates and numbers are left alone.

    Raises:
        ValueError: if the question has too few markable letters for ``code``.
    """
    words = question.split(" ")
    positions = [(w, i) for w, word in enumerate(words)
                 if w == 0 or word.rstrip("?,.").isalpha() and word.rstrip("?,.").islower()
                 for i, ch in enumerate(word) if i > 0 and ch.isalpha()]
    if code >= 2 ** len(positions):
        raise ValueError(f"{question!r} can tell apart only {2 ** len(positions)} sessions")
    chars = [list(word) for word in words]
    for bit, (w, i) in enumerate(positions):
        chars[w][i] = chars[w][i].upper() if code >> bit & 1 else chars[w][i].lower()
    return " ".join("".join(c) for c in chars)


def session_questions(session: int, conversations: Sequence[Sequence[str]], turns: int) -> list[str]:
    """The questions of one session: a conversation from the pool, marked with the session's code.

    A session longer than its conversation starts it again: turn ``len(conversation) + 1`` is an
    opening question (see :func:`opens_conversation`).
    """
    conversation = conversations[session % len(conversations)]
    return [mark(conversation[t % len(conversation)], session) for t in range(turns)]


def opens_conversation(session: int, conversations: Sequence[Sequence[str]], turn: int) -> bool:
    """Whether 1-based ``turn`` of ``session`` asks the first question of its conversation."""
    return (turn - 1) % len(conversations[session % len(conversations)]) == 0


def text_of(message: dict) -> str:
    """The text of a chat message, whether its content is a string or a list of parts."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    return "\n".join(part.get("text", "") for part in content or [] if isinstance(part, dict))


READ_AS = "*Question read as:* "


def check_reply(asked: list[str], messages: list[dict], everyone: set[str],
                follow_up: bool | None = None) -> str | None:
    """Check the chat after this session's latest question; return what is wrong, or None.

    Args:
        asked: This session's questions so far, the latest last.
        messages: The chat returned by the app.
        everyone: Every question any session asks (to tell a leak from a misreading).
        follow_up: Whether the latest question must be read as a follow-up of an earlier one
            of this session; by default, every question after the first.
    """
    if len(messages) != 2 * len(asked):
        return f"chat has {len(messages)} messages after {len(asked)} questions"
    if text_of(messages[-2]) != escape_markdown(asked[-1]):
        return "the chat does not end with this session's question"
    reply = text_of(messages[-1])
    if reply.startswith("Sorry"):
        return f"error reply: {reply[:120]}"
    lines = [line for line in reply.split("\n") if line.startswith(READ_AS)]
    if lines:
        others = [q for q in everyone - set(asked) if escape_markdown(q) in lines[0]]
        if others:
            return f"LEAK: read against another session's question {others[0]!r}"
    if follow_up is None:
        follow_up = len(asked) > 1
    if not follow_up:
        return f"an opening question was read as a follow-up: {lines[0]}" if lines else None
    if not lines:
        return "follow-up read without this session's history"
    own = {escape_markdown(f"{asked[-1]} (read as a follow-up to: {q})") for q in asked[:-1]}
    if lines[0][len(READ_AS):] not in own:
        return f"follow-up read against something else: {lines[0][:160]}"
    return None


@dataclass
class Report:
    """What a run measured."""

    questions: int = 0
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, other: Report) -> None:
        self.questions += other.questions
        self.latencies += other.latencies
        self.errors += other.errors

    def summary(self) -> str:
        ordered = sorted(self.latencies) or [0.0]
        p50 = statistics.median(ordered)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        leaks = sum("LEAK" in e for e in self.errors)
        return (f"questions {self.questions}, errors {len(self.errors)} (leaks {leaks}), "
                f"latency p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
                f"max {ordered[-1] * 1000:.0f} ms, throughput "
                f"{self.questions / self.seconds if self.seconds else 0:.2f} questions/s "
                f"over {self.seconds:.1f} s")


def run_session(url: str, session: int, questions: list[str], everyone: set[str],
                deadline: float, auth: tuple[str, str] | None = None,
                openers: frozenset[int] = frozenset({1})) -> Report:
    """Ask one session's questions in order through its own gradio_client session."""
    from gradio_client import Client

    report = Report()
    try:
        client = Client(url, verbose=False, auth=auth, analytics_enabled=False)
    except Exception as exc:  # noqa: BLE001 - every failure is a reported error, not a crash
        report.errors.append(f"session {session}: cannot connect ({type(exc).__name__}: {exc})")
        return report
    messages: list[dict] = []
    try:
        for turn, question in enumerate(questions, start=1):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                report.errors.append(f"session {session} turn {turn}: deadline reached")
                break
            started = time.perf_counter()
            try:
                messages, _ = client.submit(question, messages, api_name="/ask").result(
                    timeout=remaining)
            except Exception as exc:  # noqa: BLE001
                report.errors.append(f"session {session} turn {turn}: {type(exc).__name__}: {exc}")
                break
            report.latencies.append(time.perf_counter() - started)
            report.questions += 1
            problem = check_reply(questions[:turn], messages, everyone, turn not in openers)
            if problem:
                report.errors.append(f"session {session} turn {turn}: {problem}")
    finally:
        client.close()
    return report


def run_load(url: str, sessions: int, turns: int, conversations: Sequence[Sequence[str]],
             parallel: int | None = None, deadline_s: float = 600.0,
             auth: tuple[str, str] | None = None, first_session: int = 0) -> Report:
    """Run ``sessions`` sessions of ``turns`` questions, ``parallel`` of them at a time."""
    plans = {s: session_questions(s, conversations, turns)
             for s in range(first_session, first_session + sessions)}
    everyone = {q for questions in plans.values() for q in questions}
    deadline = time.monotonic() + deadline_s
    report = Report()
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=parallel or sessions) as pool:
        futures = [pool.submit(run_session, url, s, q, everyone, deadline, auth,
                               frozenset(t for t in range(1, turns + 1)
                                         if opens_conversation(s, conversations, t)))
                   for s, q in plans.items()]
        for future in futures:
            report.add(future.result())
    report.seconds = time.perf_counter() - started
    return report


def rss_mib(pid: int) -> float:
    """Resident memory of process ``pid`` in MiB (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def pipeline_soak(questions: int, turns: int = 10) -> str:
    """Ask ``questions`` questions straight through Assistant in this process (no web server).

    Tells memory held by the answering pipeline (model, index, conversations) from memory held by
    the web server (sessions, queue records).
    """
    import gc

    from assistant.service import Assistant, Conversation
    from assistant.settings import Settings

    assistant = Assistant.open(Settings.from_env(os.environ))

    def ask(first: int, sessions: int) -> None:
        for session in range(first, first + sessions):
            conversation = Conversation(assistant)  # dropped after its turns, as a closed tab
            for question in session_questions(session, ARCHIVE_CONVERSATIONS, turns):
                conversation.ask(question)

    ask(0, 2)  # warm up
    gc.collect()
    before, samples, started = rss_mib(os.getpid()), [], time.perf_counter()
    for done in range(0, questions, 10 * turns):
        ask(2 + done // turns, 10)
        samples.append(f"{done + 10 * turns}:{rss_mib(os.getpid()):.0f}")
    after = rss_mib(os.getpid())
    return (f"pipeline soak: {questions} questions in {time.perf_counter() - started:.1f} s, RSS "
            f"before {before:.0f} MiB, after {after:.0f} MiB ({after - before:+.0f} MiB); samples "
            "(questions:MiB) " + " ".join(samples))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_app(port: int, concurrency: int | None, timeout: float = 300.0) -> subprocess.Popen:
    """Start app.py on 127.0.0.1:``port`` and wait until it answers (or raise)."""
    env = {**os.environ, "ASSISTANT_HOST": "127.0.0.1", "ASSISTANT_PORT": str(port),
           "GRADIO_ANALYTICS_ENABLED": "False"}
    if concurrency:
        env["ASSISTANT_QUEUE_CONCURRENCY"] = str(concurrency)
    app = subprocess.Popen([sys.executable, str(ROOT / "app.py")], env=env, cwd=ROOT,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if app.poll() is not None:
            raise RuntimeError(f"app.py exited with {app.returncode}: {app.stderr.read().strip()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/config", timeout=2):
                return app
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    stop_app(app)
    raise RuntimeError(f"app.py did not answer on port {port} within {timeout:.0f} s")


def stop_app(app: subprocess.Popen) -> None:
    app.terminate()
    try:
        app.wait(timeout=20)
    except subprocess.TimeoutExpired:
        app.kill()
        app.wait(timeout=20)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running app on a loopback address (default: start app.py)")
    parser.add_argument("--pid", type=int, help="with --url: the app's process id, for RSS")
    parser.add_argument("--sessions", type=int, default=50, help="concurrent sessions (default 50)")
    parser.add_argument("--turns", type=int, default=3, help="questions per session (default 3)")
    parser.add_argument("--soak", type=int, default=0,
                        help="then ask this many more questions and print RSS before and after")
    parser.add_argument("--soak-parallel", type=int, default=10,
                        help="sessions at a time during the soak (default 10)")
    parser.add_argument("--soak-turns", type=int, default=10, help="questions per soak session")
    parser.add_argument("--concurrency", type=int,
                        help="ASSISTANT_QUEUE_CONCURRENCY of the started app (default: the setting)")
    parser.add_argument("--pipeline-soak", type=int, default=0, metavar="N",
                        help="instead: ask N questions through Assistant in this process, no server")
    parser.add_argument("--deadline", type=float, default=1800.0,
                        help="seconds after which everything still running is abandoned")
    args = parser.parse_args(argv)
    # Bounded on purpose (and so every session's capitalisation code stays distinct).
    if not 1 <= args.sessions <= 100 or not 1 <= args.turns <= 20 or not 0 <= args.soak <= 1500:
        parser.error("keep it bounded: 1-100 sessions, 1-20 turns, a soak of at most 1,500")

    if args.pipeline_soak:
        print(pipeline_soak(min(args.pipeline_soak, 1500)))
        return 0
    app = None
    if args.url:
        if not is_loopback(urlparse(args.url).hostname or ""):
            parser.error(f"{args.url} is not a loopback address; this script only drives 127.0.0.1")
        url, pid = args.url, args.pid
    else:
        port = free_port()
        print(f"starting app.py on 127.0.0.1:{port}…", file=sys.stderr, flush=True)
        app = start_app(port, args.concurrency)
        url, pid = f"http://127.0.0.1:{port}/", app.pid
    watchdog = threading.Timer(args.deadline + 60, lambda: os._exit(3))  # the last resort
    watchdog.daemon = True
    watchdog.start()
    stop_at = time.monotonic() + args.deadline
    failed = False
    try:
        print(f"machine: {os.cpu_count()} cores, load average "
              f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        load = run_load(url, args.sessions, args.turns, ARCHIVE_CONVERSATIONS,
                        deadline_s=stop_at - time.monotonic())
        print(f"load: {args.sessions} concurrent sessions × {args.turns} turns: {load.summary()}")
        for error in load.errors[:20]:
            print(f"  {error}")
        failed = bool(load.errors)
        if args.soak:
            rss_before = rss_mib(pid) if pid else None
            soak = Report()
            started = time.perf_counter()
            session = args.sessions
            samples = []
            while soak.questions < args.soak and time.monotonic() < stop_at:
                left = args.soak - soak.questions
                batch = min(args.soak_parallel, -(-left // args.soak_turns))
                turns = min(args.soak_turns, left)
                part = run_load(url, batch, turns, ARCHIVE_CONVERSATIONS,
                                deadline_s=stop_at - time.monotonic(), first_session=session)
                session += batch
                soak.add(part)
                if part.questions == 0:
                    break
                if pid:
                    samples.append(f"{soak.questions}:{rss_mib(pid):.0f}")
            soak.seconds = time.perf_counter() - started
            print(f"soak: {soak.summary()}")
            for error in soak.errors[:20]:
                print(f"  {error}")
            if pid:
                rss_after = rss_mib(pid)
                print(f"soak RSS of the app: before {rss_before:.0f} MiB, after {rss_after:.0f} MiB "
                      f"({rss_after - rss_before:+.0f} MiB); samples (questions:MiB) "
                      + " ".join(samples))
            failed = failed or bool(soak.errors) or soak.questions < args.soak
        print(f"machine after: load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        if app is not None:
            stop_app(app)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
