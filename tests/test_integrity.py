"""Index and corpus integrity: atomic builds, the build lock, damage detection, bad documents skipped."""
from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import FakeEmbedder

import assistant.index as index_module
from assistant.cli import main
from assistant.corpus import load_corpus
from assistant.errors import REBUILD_HINT, CorpusError, IndexMissingError, StaleIndexError
from assistant.index import build_index, check_index, index_lock, load_index
from assistant.service import Assistant
from assistant.settings import PROJECT_ROOT

TESTS = Path(__file__).resolve().parent


def leftovers(settings) -> list[str]:
    """Staging or old folders a build left beside the index."""
    return sorted(p.name for p in Path(settings.index_dir).parent.iterdir()
                  if p.name.startswith((".index-build-", ".index-old-")))


def stale_message(settings, embedder_name="fake-hashed-words") -> str:
    with pytest.raises(StaleIndexError) as err:
        check_index(settings, embedder_name)
    return str(err.value)


# --- atomic writes -----------------------------------------------------------------------------

def test_interrupted_rebuild_keeps_the_old_index_whole(tiny_index, tiny_settings, fake_embedder,
                                                       monkeypatch):
    before = check_index(tiny_settings, fake_embedder.name)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt  # Ctrl-C half-way through writing the files

    monkeypatch.setattr(index_module.np, "save", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build_index(tiny_settings, fake_embedder, progress=False)
    assert check_index(tiny_settings, fake_embedder.name) == before
    assert load_index(tiny_settings, fake_embedder.name).chunks == tiny_index.chunks
    assert leftovers(tiny_settings) == []


def test_interrupted_first_build_leaves_no_index(tiny_settings, fake_embedder, monkeypatch):
    monkeypatch.setattr(index_module.np, "save", lambda *a, **k: (_ for _ in ()).throw(OSError(
        28, "No space left on device")))
    with pytest.raises(OSError):
        build_index(tiny_settings, fake_embedder, progress=False)
    with pytest.raises(IndexMissingError):
        check_index(tiny_settings, fake_embedder.name)
    assert not tiny_settings.index_dir.exists() and leftovers(tiny_settings) == []


KILLED_BUILD = """
import os, sys
sys.path.insert(0, {tests!r})
from conftest import FakeEmbedder
import assistant.index as index_module
from assistant.settings import Settings

real_write = index_module.np.save
def killed(*args, **kwargs):
    real_write(*args, **kwargs)
    os._exit(9)  # like SIGKILL or a power cut: no clean-up code runs
index_module.np.save = killed
settings = Settings().replace(corpus_dir={corpus!r}, index_dir={index!r})
index_module.build_index(settings, FakeEmbedder(), progress=False)
"""


def run_killed_build(settings) -> None:
    code = KILLED_BUILD.format(tests=str(TESTS), corpus=str(settings.corpus_dir),
                               index=str(settings.index_dir))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, cwd=PROJECT_ROOT)
    assert done.returncode == 9, done.stderr


def test_killed_build_never_leaves_a_loadable_half_index(tiny_settings, fake_embedder):
    run_killed_build(tiny_settings)  # the very first build dies half-way
    with pytest.raises(IndexMissingError):
        load_index(tiny_settings, fake_embedder.name)
    assert len(leftovers(tiny_settings)) == 1  # its half-written staging folder
    build_index(tiny_settings, fake_embedder, progress=False)
    manifest = check_index(tiny_settings, fake_embedder.name)
    assert leftovers(tiny_settings) == []  # the next build cleared it away
    run_killed_build(tiny_settings)  # a rebuild dies half-way: the index in place is untouched
    assert check_index(tiny_settings, fake_embedder.name) == manifest


@pytest.mark.parametrize("exchange", [True, False])
def test_swap_replaces_the_index_in_one_step(tiny_index, tiny_settings, fake_embedder,
                                             monkeypatch, exchange):
    if not exchange:  # a filesystem or libc without renameat2: the two-rename fallback
        monkeypatch.setattr(index_module, "_exchange", lambda a, b: False)
    old_inode = tiny_settings.index_dir.stat().st_ino
    build_index(tiny_settings, fake_embedder, progress=False)
    assert tiny_settings.index_dir.stat().st_ino != old_inode
    check_index(tiny_settings, fake_embedder.name)
    assert leftovers(tiny_settings) == []


# --- the build lock ----------------------------------------------------------------------------

def test_a_build_waits_while_another_holds_the_lock(tiny_settings, fake_embedder, capfd):
    finished = threading.Event()

    def build():
        build_index(tiny_settings, fake_embedder, progress=False)
        finished.set()

    with index_lock(tiny_settings.index_dir):
        worker = threading.Thread(target=build)
        worker.start()
        time.sleep(0.5)
        assert not finished.is_set() and not tiny_settings.index_dir.exists()
    worker.join(timeout=60)
    assert finished.is_set()
    check_index(tiny_settings, fake_embedder.name)
    assert capfd.readouterr().err == (f"Waiting for another build of {tiny_settings.index_dir} "
                                      "to finish…\n")


CONCURRENT_BUILD = """
import sys, time
sys.path.insert(0, {tests!r})
from conftest import FakeEmbedder
import assistant.index as index_module
from assistant.settings import Settings

class SlowEmbedder(FakeEmbedder):
    def encode(self, texts):
        time.sleep(0.4)  # long enough for the other process to start its own build meanwhile
        return super().encode(texts)

real_build = index_module._build_locked
def logged(*args):
    with open({log!r}, "a") as fh:
        fh.write(f"start {{time.monotonic()}}\\n")
    try:
        return real_build(*args)
    finally:
        with open({log!r}, "a") as fh:
            fh.write(f"end {{time.monotonic()}}\\n")
index_module._build_locked = logged
settings = Settings().replace(corpus_dir={corpus!r}, index_dir={index!r})
index_module.build_index(settings, SlowEmbedder(), progress=False)
"""


def test_two_processes_building_at_once_take_turns(tiny_settings, fake_embedder, tmp_path):
    log = tmp_path / "builds.log"
    code = CONCURRENT_BUILD.format(tests=str(TESTS), corpus=str(tiny_settings.corpus_dir),
                                   index=str(tiny_settings.index_dir), log=str(log))
    builds = [subprocess.Popen([sys.executable, "-c", code], cwd=PROJECT_ROOT, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    results = [b.communicate(timeout=120) for b in builds]
    assert [b.returncode for b in builds] == [0, 0], results
    waits = [err for _, err in results if "Waiting for another build" in err]
    assert len(waits) == 1, results  # the second to arrive waited for the first
    events = [line.split() for line in log.read_text().splitlines()]
    assert [kind for kind, _ in events] == ["start", "end", "start", "end"]  # never interleaved
    check_index(tiny_settings, fake_embedder.name)
    assert leftovers(tiny_settings) == []


# --- damage and staleness found from the manifest's sizes and hashes ---------------------------

def _truncate(path: Path) -> str:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return f"{len(data) // 2} bytes, expected {len(data)}"


def _flip_a_byte(path: Path) -> str:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    return "same size, other content"


def _empty(path: Path) -> str:
    size = path.stat().st_size
    path.write_bytes(b"")
    return f"0 bytes, expected {size}"


def _delete(path: Path) -> str:
    path.unlink()
    return "missing"


DAMAGE = {"truncated": _truncate, "flipped-byte": _flip_a_byte, "emptied": _empty,
          "deleted": _delete}
DATA_FILES = ["chunks.jsonl", "sentences.jsonl", "dense.faiss", "sentences.npy",
              "bm25/vocab.index.json", "bm25/data.csc.index.npy"]


@pytest.mark.parametrize("name", DATA_FILES)
@pytest.mark.parametrize("damage", DAMAGE)
def test_damaged_file_is_named_with_what_is_wrong(tiny_index, tiny_settings, name, damage):
    detail = DAMAGE[damage](tiny_settings.index_dir / name)
    assert stale_message(tiny_settings) == (
        f"the index at {tiny_settings.index_dir} was built from a missing or damaged file {name} "
        f"({detail}); {REBUILD_HINT}")


@pytest.mark.parametrize("content", [b"{not json", b"[1, 2, 3]", b'"a string"', b"\xff\xfe\x00",
                                     b""])
def test_unreadable_manifest(tiny_index, tiny_settings, content):
    path = tiny_settings.index_dir / "manifest.json"
    path.write_bytes(content)
    assert stale_message(tiny_settings) == f"the index manifest {path} is unreadable; {REBUILD_HINT}"


def test_manifest_listing_a_file_outside_the_index(tiny_index, tiny_settings):
    path = tiny_settings.index_dir / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["files"]["../corpus/manifest.jsonl"] = "1:00"
    manifest["files"]["/etc/passwd"] = "1:00"
    path.write_text(json.dumps(manifest), encoding="utf-8")
    message = stale_message(tiny_settings)
    assert "a missing or damaged file ../corpus/manifest.jsonl (not a file of the index)" in message
    assert "a missing or damaged file /etc/passwd (not a file of the index)" in message


def test_manifest_with_a_file_list_of_the_wrong_type(tiny_index, tiny_settings):
    path = tiny_settings.index_dir / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps(manifest | {"files": ["dense.faiss"]}), encoding="utf-8")
    assert stale_message(tiny_settings) == (f"the index at {tiny_settings.index_dir} was built "
                                            f"from no file list; {REBUILD_HINT}")


def test_vanished_changed_and_added_corpus_files_are_named(tiny_index, tiny_settings):
    corpus = tiny_settings.corpus_dir
    (corpus / "cable.txt").unlink()
    assert stale_message(tiny_settings) == (
        f"the index at {tiny_settings.index_dir} was built from another version of the corpus "
        f"(missing: cable.txt); {REBUILD_HINT}")
    (corpus / "cable.txt").write_text("a different cable\n", encoding="utf-8")
    assert "another version of the corpus (changed: cable.txt)" in stale_message(tiny_settings)
    (corpus / "extra.txt").write_text("An added letter.", encoding="utf-8")
    with (corpus / "manifest.jsonl").open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "x", "source": "extra.txt", "start": 0, "end": 16,
                             "title": "X", "kind": "note"}) + "\n")
    assert ("another version of the corpus (changed: cable.txt, manifest.jsonl; new: extra.txt)"
            in stale_message(tiny_settings))


def test_other_settings_and_model_are_named_together(tiny_index, tiny_settings):
    message = stale_message(tiny_settings.replace(chunk_tokens=100), "another-model")
    assert message == (f"the index at {tiny_settings.index_dir} was built from model "
                       "'fake-hashed-words' (expected 'another-model'); other chunk settings; "
                       f"{REBUILD_HINT}")


# --- the CLI says what is wrong, and `index --if-stale` (what `make run` runs) repairs it -------

@pytest.fixture
def cli(tiny_settings, monkeypatch, capsys):
    import assistant.embed
    import assistant.service

    monkeypatch.setattr(assistant.embed, "PackagedMiniLM", FakeEmbedder)
    monkeypatch.setattr(assistant.service, "PackagedMiniLM", FakeEmbedder)
    paths = ["--corpus", str(tiny_settings.corpus_dir), "--index", str(tiny_settings.index_dir)]

    def run(*args: str) -> tuple[int, str, str]:
        code = main([*paths, *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.mark.parametrize("damage", DAMAGE)
def test_cli_names_the_damage_and_if_stale_rebuilds(cli, tiny_settings, damage):
    assert cli("index", "--quiet") == (0, "", "")
    detail = DAMAGE[damage](tiny_settings.index_dir / "dense.faiss")
    problem = (f"the index at {tiny_settings.index_dir} was built from a missing or damaged file "
               f"dense.faiss ({detail}); {REBUILD_HINT}")
    assert cli("ask", "Who used a pseudonym?") == (1, "", f"error: {problem}\n")
    code, _, err = cli("index", "--if-stale")
    assert code == 0
    assert err.splitlines()[0] == f"Building the index: {problem}"
    assert cli("index", "--if-stale") == (
        0, "", f"Index at {tiny_settings.index_dir} is up to date.\n")
    code, out, err = cli("ask", "Who used a pseudonym?")
    assert code == 0 and err == "" and "[tiny-notes, characters " in out


def test_make_run_rebuilds_a_stale_index_before_starting():
    makefile = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    run = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert run.splitlines()[1:] == ["\t$(PY) -m assistant index --if-stale", "\t$(PY) app.py"]


# --- a bad corpus document is skipped and reported; the others are indexed ---------------------

def _break_lines(corpus: Path) -> list[str]:
    """Spoil manifest lines 2 and 3 and add four more bad ones; returns the expected problems."""
    manifest = corpus / "manifest.jsonl"
    lines = manifest.read_text(encoding="utf-8").splitlines()
    entry2, entry3 = json.loads(lines[1]), json.loads(lines[2])
    lines[1] = json.dumps(entry2 | {"end": 10_000})
    lines[2] = json.dumps(entry3 | {"source": "gone.txt"})
    (corpus / "latin1.txt").write_bytes(b"Caf\xe9 au lait")
    lines += ['{"id": "cut-off", ',
              json.dumps(entry2 | {"id": "tiny-1"}),
              json.dumps(entry2 | {"id": "bad-dates", "end": entry2["start"] + 20,
                                   "dates": [{"when": "1949"}]}),
              json.dumps(entry2 | {"id": "latin", "source": "latin1.txt", "start": 0, "end": 4}),
              json.dumps(entry2 | {"id": "escape", "source": "../escape.txt", "start": 0,
                                   "end": 4})]
    (corpus.parent / "escape.txt").write_text("outside the corpus", encoding="utf-8")
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    letters = len((corpus / "letters.txt").read_text(encoding="utf-8"))
    return [f"{manifest}:2: impossible span [{entry2['start']}, 10000) for 'letters.txt' of "
            f"{letters} characters",
            f"{manifest}:3: source file 'gone.txt' not found in {corpus}",
            f"{manifest}:5: not valid JSON (Expecting property name enclosed in double quotes)",
            f"{manifest}:6: duplicate document id 'tiny-1'",
            f"{manifest}:7: malformed field (KeyError: 'date')",
            f"{manifest}:8: source file 'latin1.txt' is not valid UTF-8",
            f"{manifest}:9: source file '../escape.txt' is outside the corpus folder {corpus}"]


def test_load_corpus_collects_problems_and_keeps_the_good_documents(tiny_corpus):
    expected = _break_lines(tiny_corpus)
    problems: list[str] = []
    assert [d.id for d in load_corpus(tiny_corpus, problems)] == ["tiny-1", "tiny-3"]
    assert problems == expected
    with pytest.raises(CorpusError) as err:  # without a problems list: the first bad line raises
        load_corpus(tiny_corpus)
    assert str(err.value) == expected[0]


def test_build_skips_bad_documents_and_records_them(tiny_settings, fake_embedder):
    expected = _break_lines(tiny_settings.corpus_dir)
    built = build_index(tiny_settings, fake_embedder, progress=False)
    assert sorted(built.documents) == ["tiny-1", "tiny-3"]
    manifest = check_index(tiny_settings, fake_embedder.name)
    assert manifest["skipped"] == expected and manifest["counts"]["documents"] == 2
    assistant = Assistant.open(tiny_settings, fake_embedder)
    answer, _ = assistant.ask("When should the delegation wait until?")
    assert {q.doc_id for q in answer.quotes} <= {"tiny-1", "tiny-3"}
    assert answer.quotes[0].doc_id == "tiny-3"


def test_cli_index_reports_skipped_documents_every_time(cli, tiny_settings):
    expected = _break_lines(tiny_settings.corpus_dir)
    report = [f"skipped {p}" for p in expected] + [
        "warning: 7 document(s) of the corpus are not in the index; fix the lines above and run "
        "`python -m assistant index`"]
    assert cli("index", "--quiet") == (0, "", "\n".join(report) + "\n")
    assert cli("index", "--if-stale") == (
        0, "", "\n".join([f"Index at {tiny_settings.index_dir} is up to date.", *report]) + "\n")


def test_corpus_without_a_valid_document_is_a_one_line_error(cli, tiny_settings):
    manifest = tiny_settings.corpus_dir / "manifest.jsonl"
    manifest.write_text('{"broken": \n[]\n', encoding="utf-8")
    assert cli("index", "--quiet") == (
        1, "", f"error: {manifest} lists no valid document (2 skipped)\n")
    assert not tiny_settings.index_dir.exists()

