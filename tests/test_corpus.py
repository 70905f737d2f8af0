"""Tests for assistant/corpus.py: the shipped manifest, verbatim slicing and manifest errors."""
from __future__ import annotations

import json

import pytest
from conftest import NAVIGATION, SHIPPED_CORPUS, TINY_2

from assistant.corpus import corpus_fingerprint, load_corpus
from assistant.errors import CorpusError
from assistant.records import DatedAs

SHIPPED_IDS = ["rd-singh", "rd-tikhvinsky", "rd-1", "rd-2", "rd-3", "rd-4", "rd-5", "rd-6", "rd-7",
               "rd-notes", "wilson-112235"]


@pytest.fixture(scope="module")
def shipped():
    return load_corpus(SHIPPED_CORPUS)


def test_shipped_manifest_lists_the_eleven_documents_in_order(shipped):
    assert [doc.id for doc in shipped] == SHIPPED_IDS


def test_every_shipped_text_is_the_slice_of_its_source_file(shipped):
    for doc in shipped:
        source = (SHIPPED_CORPUS / doc.source).read_text(encoding="utf-8")
        assert doc.text == source[doc.start:doc.end], doc.id


def test_rd3_carries_heading_and_signed_dates(shipped):
    rd3 = {doc.id: doc for doc in shipped}["rd-3"]
    assert rd3.date == "1949-01-13"
    assert rd3.dates == (DatedAs("1949-01-13", "heading"), DatedAs("1949-01-12", "signed"))
    assert rd3.sender == "Mao Zedong"
    assert rd3.replies_to == ("rd-1",)
    assert rd3.text.startswith("No. 3\nTelegram of Mao Zedong to J.V. Stalin dated 13 January 1949")


def test_shipped_navigation_lines_are_skipped(shipped):
    notes = {doc.id: doc for doc in shipped}["rd-notes"]
    assert [notes.text[s:e] for s, e in notes.skipped] == [
        "Click here to return to the September 1997 index.",
        "Click here to return to the Mao Archive."]
    for doc in shipped:
        if doc.id != "rd-notes":
            assert doc.skipped == (), doc.id


def test_tiny_corpus_navigation_line_is_in_text_and_skipped(tiny_corpus):
    docs = {doc.id: doc for doc in load_corpus(tiny_corpus)}
    tiny2 = docs["tiny-2"]
    assert tiny2.text == TINY_2  # the line stays in the text, so offsets stay true
    (start, end), = tiny2.skipped
    assert tiny2.text[start:end] == NAVIGATION
    assert all(doc.skipped == () for doc in docs.values() if doc.id != "tiny-2")


def test_tiny_corpus_metadata(tiny_corpus):
    docs = {doc.id: doc for doc in load_corpus(tiny_corpus)}
    assert list(docs) == ["tiny-1", "tiny-2", "tiny-notes", "tiny-3"]
    assert docs["tiny-3"].start == 3
    assert docs["tiny-3"].text.startswith("January 14, 1949\n")
    assert docs["tiny-2"].replies_to == ("tiny-1",)
    assert docs["tiny-notes"].date is None and docs["tiny-notes"].dates == ()
    assert docs["tiny-1"].citation == {"publication": "Tiny Test Archive"}


def _rewrite_line(corpus_dir, number: int, text: str) -> str:
    """Replace manifest line ``number`` (1-based) with ``text``; returns the manifest path."""
    manifest = corpus_dir / "manifest.jsonl"
    lines = manifest.read_text(encoding="utf-8").splitlines()
    lines[number - 1] = text
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(manifest)


def _entry(corpus_dir, number: int) -> dict:
    lines = (corpus_dir / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    return json.loads(lines[number - 1])


def test_missing_source_file_names_the_line(tiny_corpus):
    entry = _entry(tiny_corpus, 4) | {"source": "gone.txt"}
    manifest = _rewrite_line(tiny_corpus, 4, json.dumps(entry))
    with pytest.raises(CorpusError) as err:
        load_corpus(tiny_corpus)
    assert str(err.value) == f"{manifest}:4: source file 'gone.txt' not found in {tiny_corpus}"


@pytest.mark.parametrize("start,end", [(100, 50), (0, 10_000), (-1, 5), (7, 7), ("0", 5)])
def test_impossible_span_names_the_line(tiny_corpus, start, end):
    entry = _entry(tiny_corpus, 2) | {"start": start, "end": end}
    manifest = _rewrite_line(tiny_corpus, 2, json.dumps(entry))
    with pytest.raises(CorpusError) as err:
        load_corpus(tiny_corpus)
    length = len((tiny_corpus / "letters.txt").read_text(encoding="utf-8"))
    assert str(err.value) == (f"{manifest}:2: impossible span [{start}, {end}) for 'letters.txt' "
                              f"of {length} characters")


def test_bad_json_names_the_line(tiny_corpus):
    manifest = _rewrite_line(tiny_corpus, 3, '{"id": "tiny-notes", ')
    with pytest.raises(CorpusError) as err:
        load_corpus(tiny_corpus)
    assert str(err.value).startswith(f"{manifest}:3: not valid JSON (")


def test_duplicate_id_names_the_second_line(tiny_corpus):
    entry = _entry(tiny_corpus, 3) | {"id": "tiny-1"}
    manifest = _rewrite_line(tiny_corpus, 3, json.dumps(entry))
    with pytest.raises(CorpusError) as err:
        load_corpus(tiny_corpus)
    assert str(err.value) == f"{manifest}:3: duplicate document id 'tiny-1'"


def test_missing_fields_and_non_objects_name_the_line(tiny_corpus):
    entry = _entry(tiny_corpus, 1)
    del entry["title"], entry["kind"]
    manifest = _rewrite_line(tiny_corpus, 1, json.dumps(entry))
    with pytest.raises(CorpusError) as err:
        load_corpus(tiny_corpus)
    assert str(err.value) == f"{manifest}:1: missing field(s) title, kind"
    _rewrite_line(tiny_corpus, 1, "[1, 2]")
    with pytest.raises(CorpusError) as err:
        load_corpus(tiny_corpus)
    assert str(err.value) == f"{manifest}:1: expected a JSON object"


def test_blank_lines_are_ignored_but_counted(tiny_corpus):
    manifest = tiny_corpus / "manifest.jsonl"
    lines = manifest.read_text(encoding="utf-8").splitlines()
    manifest.write_text("\n" + "\n".join(lines[:1] + ["", "{broken"]) + "\n", encoding="utf-8")
    with pytest.raises(CorpusError) as err:
        load_corpus(tiny_corpus)
    assert str(err.value).startswith(f"{manifest}:4: not valid JSON (")


def test_missing_and_empty_manifest(tmp_path, tiny_corpus):
    with pytest.raises(CorpusError) as err:
        load_corpus(tmp_path / "nowhere")
    assert str(err.value) == f"no corpus manifest at {tmp_path / 'nowhere' / 'manifest.jsonl'}"
    manifest = tiny_corpus / "manifest.jsonl"
    manifest.write_text("\n\n", encoding="utf-8")
    with pytest.raises(CorpusError) as err:
        load_corpus(tiny_corpus)
    assert str(err.value) == f"{manifest} lists no documents"


def test_source_that_is_not_utf8_names_the_line(tiny_corpus):
    (tiny_corpus / "cable.txt").write_bytes(b"\xff\xfe not text")
    with pytest.raises(CorpusError) as err:
        load_corpus(tiny_corpus)
    assert str(err.value) == (f"{tiny_corpus / 'manifest.jsonl'}:4: source file 'cable.txt' "
                              "is not valid UTF-8")


def test_fingerprint_covers_manifest_and_sources_and_follows_changes(tiny_corpus):
    before = corpus_fingerprint(tiny_corpus)
    assert sorted(before) == ["cable.txt", "letters.txt", "manifest.jsonl"]
    assert all(len(digest) == 64 for digest in before.values())
    with (tiny_corpus / "cable.txt").open("a", encoding="utf-8") as fh:
        fh.write("one more line\n")
    after = corpus_fingerprint(tiny_corpus)
    assert after["cable.txt"] != before["cable.txt"]
    assert after["letters.txt"] == before["letters.txt"]
    (tiny_corpus / "letters.txt").unlink()
    assert corpus_fingerprint(tiny_corpus)["letters.txt"] == "missing"
