"""Tests for assistant/library.py and assistant/ingest.py: add, remove and list documents."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from archive_files import (
    CATALOGUE_FACT,
    INVENTORY_FACT,
    INVENTORY_PAGES,
    PETROVA_FACT,
    SOKOLOV_FACT,
    pdf_bytes,
    write_archive,
)
from conftest import TINY_3, FakeEmbedder
from test_incremental import CountingEmbedder

import assistant.library
from assistant.corpus import load_corpus
from assistant.errors import InputError
from assistant.index import build_index, check_index, load_index
from assistant.library import add_documents, list_documents, listing_table, remove_documents
from assistant.service import Assistant

ADDED = ("catalogue-note", "inventory", "petrova-1951-03-02", "sokolov-reply")
PETROVA_STORED = ("Moscow, 2 March 1951\n\nDear Ivan Sergeyevich,\n\n" + PETROVA_FACT
                  + " We have received forty-two vases from the Shanghai museum, and the customs "
                  "office in Moscow released them without duties.\n\nAnna Petrova")


def skipped_reasons(archive: Path) -> list[tuple[str, str]]:
    return [
        (str(archive / "notes.docx"), "unsupported file type '.docx' (supported: .htm, .html, "
                                      ".markdown, .md, .pdf, .text, .txt)"),
        (str(archive / "broken.pdf"), "not a readable PDF (PdfStreamError: Stream has ended "
                                      "unexpectedly)"),
        (str(archive / "empty.txt"), "the file is empty"),
        (str(archive / "petrova-copy.txt"), "duplicates petrova-1951-03-02.txt, added with it"),
    ]


def snapshot(*folders: Path) -> dict[str, bytes]:
    """Every file under ``folders`` with its bytes."""
    return {str(p): p.read_bytes() for folder in folders if folder.exists()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def archive(tmp_path) -> Path:
    return write_archive(tmp_path / "archive")


@pytest.fixture
def added(tiny_settings, tiny_index, archive):
    """The archive added to the indexed tiny corpus; returns the Change."""
    return add_documents(tiny_settings, [archive], FakeEmbedder())


def test_add_reports_what_was_added_and_what_was_skipped_and_why(tiny_settings, tiny_index,
                                                                 archive):
    before = (tiny_settings.corpus_dir / "manifest.jsonl").read_text(encoding="utf-8")
    counting = CountingEmbedder()
    change = add_documents(tiny_settings, [archive], counting)
    assert change.added == ADDED
    assert [(s.path, s.reason) for s in change.skipped] == skipped_reasons(archive)
    assert (change.reused, change.embedded) == (4, 4)
    # Only the new documents were embedded; the tiny corpus's vectors were reused.
    index = load_index(tiny_settings, counting.name)
    assert counting.encoded == ([c.text for c in index.chunks if c.doc_id in ADDED]
                                + [s.text for s in index.sentences if s.doc_id in ADDED])
    # Nothing already in the corpus is lost: its manifest lines come first, unchanged.
    after = (tiny_settings.corpus_dir / "manifest.jsonl").read_text(encoding="utf-8")
    assert after.startswith(before)
    assert [d.id for d in load_corpus(tiny_settings.corpus_dir)] == [
        "tiny-1", "tiny-2", "tiny-notes", "tiny-3", *ADDED]
    check_index(tiny_settings, counting.name)  # the index matches the new corpus


def test_added_entries_carry_metadata_pages_and_the_files_as_added(added, tiny_settings, archive):
    corpus = tiny_settings.corpus_dir
    entries = {e["id"]: e for e in map(json.loads, (corpus / "manifest.jsonl").read_text(
        encoding="utf-8").splitlines())}
    assert entries["petrova-1951-03-02"] == {
        "id": "petrova-1951-03-02", "source": "documents/petrova-1951-03-02.txt", "start": 0,
        "end": len(PETROVA_STORED), "title": "Letter of Anna Petrova to Ivan Sokolov",
        "kind": "letter", "sender": "Anna Petrova", "recipient": "Ivan Sokolov",
        "date": "1951-03-02", "dates": [], "replies_to": [],
        "citation": {"publication": "Exhibition Papers, Box 3", "translator": "M. Kuznetsova",
                     "file": "petrova-1951-03-02.txt"},
        "file": "documents/petrova-1951-03-02.original.txt"}
    assert entries["sokolov-reply"]["replies_to"] == ["petrova-1951-03-02"]
    assert (entries["catalogue-note"]["kind"], entries["catalogue-note"]["sender"]) == (
        "note", "Hermitage Press Office")
    inventory = entries["inventory"]
    assert (inventory["title"], inventory["kind"], inventory["date"], inventory["dates"]) == (
        "Inventory of the shipment from Shanghai to Moscow", "document", "1951-03-20",
        [{"date": "1951-03-20", "what": "guessed"}])
    assert inventory["pages"] == [[0, "1"], [168, "2"]]
    # The text is stored as UTF-8 beside the file as it was added, byte for byte.
    assert (corpus / "documents/petrova-1951-03-02.txt").read_text(encoding="utf-8") \
        == PETROVA_STORED + "\n"
    assert (corpus / "documents/petrova-1951-03-02.original.txt").read_bytes() \
        == (archive / "petrova-1951-03-02.txt").read_bytes()
    assert (corpus / "documents/inventory.pdf").read_bytes() == pdf_bytes(INVENTORY_PAGES)
    assert (corpus / "documents/catalogue-note.html").read_bytes() \
        == (archive / "catalogue-note.html").read_bytes()
    assert sorted(p.name for p in (corpus / "documents").iterdir()) == [
        "catalogue-note.html", "catalogue-note.txt", "inventory.pdf", "inventory.txt",
        "petrova-1951-03-02.original.txt", "petrova-1951-03-02.txt", "sokolov-reply.md",
        "sokolov-reply.txt"]


@pytest.mark.parametrize("question,doc_id,text,cited", [
    ("When will the porcelain exhibition open in the Hermitage?", "petrova-1951-03-02",
     PETROVA_FACT + " We have received forty-two vases from the Shanghai museum, and the customs "
     "office in Moscow released them without duties.",
     "Anna Petrova to Ivan Sokolov, letter, 2 March 1951; Exhibition Papers, Box 3; translated by "
     "M. Kuznetsova; file petrova-1951-03-02.txt"),
    ("Where was the crate of celadon bowls damaged?", "inventory",
     INVENTORY_FACT + "\nTwo bowls are broken; the others are sound.",
     "document, 20 March 1951 (date guessed from the text); file inventory.pdf; p. 2"),
    ("Who photographed the Ming vase on the catalogue cover?", "catalogue-note", CATALOGUE_FACT,
     "Hermitage Press Office, note, 10 April 1951 (date guessed from the text); "
     "file catalogue-note.html"),
    ("Why can the lacquer screens not travel before May?", "sokolov-reply", SOKOLOV_FACT,
     "Ivan Sokolov to Anna Petrova, letter, 9 March 1951; file sokolov-reply.md"),
])
def test_added_documents_answer_with_verbatim_cited_quotes(added, tiny_settings, question, doc_id,
                                                           text, cited):
    assistant = Assistant.open(tiny_settings, FakeEmbedder())
    answer, _ = assistant.ask(question)
    assert not answer.abstained
    first = answer.quotes[0]
    assert (first.doc_id, first.text, first.citation) == (doc_id, text, cited)
    for quote in answer.quotes:
        assert assistant.index.documents[quote.doc_id].text[quote.start:quote.end] == quote.text


def test_an_add_gives_what_a_full_rebuild_gives(added, tiny_settings, tmp_path):
    full = tiny_settings.replace(index_dir=tmp_path / "full")
    build_index(full, FakeEmbedder(), progress=False)
    assert {p.relative_to(tiny_settings.index_dir).as_posix(): p.read_bytes()
            for p in snapshot_paths(tiny_settings.index_dir)} \
        == {p.relative_to(full.index_dir).as_posix(): p.read_bytes()
            for p in snapshot_paths(full.index_dir)}


def snapshot_paths(folder: Path) -> list[Path]:
    return [p for p in sorted(folder.rglob("*")) if p.is_file()]


def test_remove_takes_a_document_out_of_corpus_and_index(added, tiny_settings, tmp_path):
    counting = CountingEmbedder()
    change = remove_documents(tiny_settings, ["sokolov-reply"], counting)
    assert (change.removed, change.reused, change.embedded) == (("sokolov-reply",), 7, 0)
    assert counting.encoded == []  # nothing was embedded again
    corpus = tiny_settings.corpus_dir
    assert not (corpus / "documents/sokolov-reply.txt").exists()
    assert not (corpus / "documents/sokolov-reply.md").exists()
    assert "sokolov-reply" not in {d.id for d in load_corpus(corpus)}
    index = load_index(tiny_settings, counting.name)
    assert {c.doc_id for c in index.chunks} == {"tiny-1", "tiny-2", "tiny-notes", "tiny-3",
                                                "catalogue-note", "inventory", "petrova-1951-03-02"}
    full = build_index(tiny_settings.replace(index_dir=tmp_path / "full"), FakeEmbedder(),
                       progress=False)
    assert index.chunks == full.chunks and index.sentences == full.sentences
    np.testing.assert_array_equal(index.sentence_vectors, full.sentence_vectors)
    answer, _ = Assistant.open(tiny_settings, FakeEmbedder()).ask(
        "Why can the lacquer screens not travel before May?")
    assert "sokolov-reply" not in {q.doc_id for q in answer.quotes}


def test_removing_one_of_several_documents_of_a_source_file_keeps_the_file(tiny_settings,
                                                                           tiny_index):
    remove_documents(tiny_settings, ["tiny-1"], FakeEmbedder())
    assert (tiny_settings.corpus_dir / "letters.txt").is_file()  # tiny-2 and the notes use it
    assert [d.id for d in load_corpus(tiny_settings.corpus_dir)] == ["tiny-2", "tiny-notes",
                                                                    "tiny-3"]


def test_remove_refuses_unknown_ids_and_an_empty_corpus(tiny_settings, tiny_index):
    before = snapshot(tiny_settings.corpus_dir, tiny_settings.index_dir)
    with pytest.raises(InputError) as error:
        remove_documents(tiny_settings, ["tiny-1", "nope"], FakeEmbedder())
    assert str(error.value) == (f"no document 'nope' in {tiny_settings.corpus_dir}; "
                                "`python -m assistant list` shows the ids")
    with pytest.raises(InputError) as error:
        remove_documents(tiny_settings, ["tiny-1", "tiny-2", "tiny-notes", "tiny-3"],
                         FakeEmbedder())
    assert str(error.value) == "cannot remove every document of the corpus: it would be empty"
    assert snapshot(tiny_settings.corpus_dir, tiny_settings.index_dir) == before


def test_a_failed_add_leaves_corpus_and_index_as_they_were(tiny_settings, tiny_index, archive,
                                                          monkeypatch):
    before = snapshot(tiny_settings.corpus_dir, tiny_settings.index_dir)

    def failing_build(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(assistant.library, "build_index", failing_build)
    with pytest.raises(OSError, match="No space left on device"):
        add_documents(tiny_settings, [archive], FakeEmbedder())
    assert snapshot(tiny_settings.corpus_dir, tiny_settings.index_dir) == before
    assert sorted(p.name for p in tiny_settings.corpus_dir.parent.iterdir()
                  if p.name.startswith(".") and not p.name.endswith(".lock")) == []


def test_a_failed_index_swap_puts_the_corpus_back(tiny_settings, tiny_index, archive, monkeypatch):
    before = snapshot(tiny_settings.corpus_dir, tiny_settings.index_dir)
    real = assistant.library._put_in_place

    def swap_corpus_only(staged, target, old):
        if target == tiny_settings.index_dir:
            raise OSError(5, "Input/output error")
        real(staged, target, old)

    monkeypatch.setattr(assistant.library, "_put_in_place", swap_corpus_only)
    with pytest.raises(OSError, match="Input/output error"):
        add_documents(tiny_settings, [archive], FakeEmbedder())
    assert snapshot(tiny_settings.corpus_dir, tiny_settings.index_dir) == before


def test_when_nothing_can_be_added_nothing_changes(tiny_settings, tiny_index, archive):
    before = snapshot(tiny_settings.corpus_dir, tiny_settings.index_dir)
    (archive / "tiny-3-copy.txt").write_text("  " + TINY_3.replace("\n\n", "\n") + "\n",
                                             encoding="utf-8")
    change = add_documents(tiny_settings, [archive / "broken.pdf", archive / "tiny-3-copy.txt",
                                           archive / "missing.txt"], FakeEmbedder())
    assert change.added == ()
    assert [(Path(s.path).name, s.reason) for s in change.skipped] == [
        ("missing.txt", "no such file or folder"),
        ("broken.pdf", "not a readable PDF (PdfStreamError: Stream has ended unexpectedly)"),
        ("tiny-3-copy.txt", "duplicates document 'tiny-3' already in the corpus")]
    assert snapshot(tiny_settings.corpus_dir, tiny_settings.index_dir) == before


def test_add_into_a_new_corpus_folder_creates_it(tmp_path, archive):
    from assistant.settings import Settings

    settings = Settings().replace(corpus_dir=tmp_path / "new" / "corpus",
                                  index_dir=tmp_path / "new" / "index")
    change = add_documents(settings, [archive / "sokolov-reply.md",
                                      archive / "petrova-1951-03-02.txt"], FakeEmbedder())
    # sokolov-reply replies to petrova-1951-03-02, added with it: both are accepted.
    assert (change.added, change.skipped, change.reused) == (
        ("sokolov-reply", "petrova-1951-03-02"), (), 0)
    check_index(settings, FakeEmbedder.name)


def test_ids_are_unique_and_explicit_ids_are_checked(tiny_settings, tiny_index, tmp_path):
    folder = tmp_path / "more"
    folder.mkdir()
    (folder / "tiny-1.txt").write_text("A letter whose file is named like a document.\n",
                                       encoding="utf-8")
    (folder / "other.md").write_text("---\nid: tiny-2\n---\nAnother letter.\n", encoding="utf-8")
    (folder / "reply.md").write_text("---\nreply-to: [tiny-1, lost-letter]\n---\nA reply.\n",
                                     encoding="utf-8")
    change = add_documents(tiny_settings, [folder], FakeEmbedder())
    assert change.added == ("tiny-1-2",)
    assert [(Path(s.path).name, s.reason) for s in change.skipped] == [
        ("other.md", "id 'tiny-2' is already used by a document of the corpus"),
        ("reply.md", "reply-to names no document of the corpus: lost-letter "
                     "(see `python -m assistant list`)")]


def test_files_over_the_size_limit_are_skipped(tiny_settings, tiny_index, tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("word " * 240_000, encoding="utf-8")  # 1.2 MB
    change = add_documents(tiny_settings.replace(max_document_mb=1), [big], FakeEmbedder())
    assert [(s.path, s.reason) for s in change.skipped] == [
        (str(big), "1.2 MB is over the limit of 1 MB (setting ASSISTANT_MAX_DOCUMENT_MB)")]


def test_sidecars_pair_with_their_documents(tiny_settings, tiny_index, tmp_path):
    folder = tmp_path / "pairs"
    folder.mkdir()
    (folder / "a.txt").write_text("Letter a about the harbour.\n", encoding="utf-8")
    (folder / "a.meta.json").write_text('{"title": "Letter A"}', encoding="utf-8")
    (folder / "a.meta.yaml").write_text("title: Letter A again\n", encoding="utf-8")
    (folder / "b.txt").write_text("Letter b about the railway.\n", encoding="utf-8")
    (folder / "b.txt.meta.yml").write_text("title: Letter B\ncolour: blue\n", encoding="utf-8")
    (folder / "c.meta.json").write_text('{"title": "Letter C"}', encoding="utf-8")
    change = add_documents(tiny_settings, [folder], FakeEmbedder())
    assert change.added == ()
    assert [(Path(s.path).name, s.reason) for s in change.skipped] == [
        ("a.txt", "more than one metadata file: a.meta.json, a.meta.yaml; keep one"),
        ("c.meta.json", "metadata file of no document being added (name it after its document: "
                        "letter.pdf → letter.meta.json)"),
        ("b.txt", "sidecar b.txt.meta.yml: unknown key 'colour' (known: id, title, kind, date, "
                  "sender, recipient, addressed_as, source, archive, url, original, translator, "
                  "reply_to)")]


def test_list_shows_ids_titles_dates_parties_and_chunks(added, tiny_settings):
    listed, note = list_documents(tiny_settings, FakeEmbedder.name)
    assert note is None
    assert listing_table(listed).splitlines() == [
        "ID                  TITLE                                              DATE                  SENDER → RECIPIENT           CHUNKS",  # noqa: E501
        "tiny-1              No. 1: Telegram of Stalin to Mao, 10 January 1949  1949-01-10            Stalin → Mao Zedong               1",  # noqa: E501
        "tiny-2              No. 2: Telegram of Mao to Stalin, 13 January 1949  1949-01-13            Mao Zedong → Stalin               1",  # noqa: E501
        "tiny-notes          Notes                                              -                     Editors                           1",  # noqa: E501
        "tiny-3              Cable, Stalin to Mao                               1949-01-14            Stalin → Mao Zedong               1",  # noqa: E501
        "catalogue-note      Catalogue note                                     1951-04-10 (guessed)  Hermitage Press Office            1",  # noqa: E501
        "inventory           Inventory of the shipment from Shanghai to Moscow  1951-03-20 (guessed)  -                                 1",  # noqa: E501
        "petrova-1951-03-02  Letter of Anna Petrova to Ivan Sokolov             1951-03-02            Anna Petrova → Ivan Sokolov       1",  # noqa: E501
        "sokolov-reply       Reply of Ivan Sokolov to Anna Petrova              1951-03-09            Ivan Sokolov → Anna Petrova       1",  # noqa: E501
    ]
    listed, note = list_documents(tiny_settings, "another model")
    assert {item.chunks for item in listed} == {None}
    assert note.startswith(f"the index at {tiny_settings.index_dir} was built from model ")



@pytest.mark.e2e
def test_with_the_real_model_added_letters_answer_and_an_add_equals_a_rebuild(
        tiny_settings, archive, real_model, tmp_path):
    build_index(tiny_settings, real_model, progress=False)
    change = add_documents(tiny_settings, [archive], real_model)
    assert (change.added, change.reused, change.embedded) == (ADDED, 4, 4)
    assistant = Assistant.open(tiny_settings, real_model)
    answer, _ = assistant.ask("Where was the crate of celadon bowls damaged?")
    first = answer.quotes[0]
    assert not answer.abstained
    assert (first.doc_id, first.text, first.citation) == (
        "inventory", INVENTORY_FACT + "\nTwo bowls are broken; the others are sound.",
        "document, 20 March 1951 (date guessed from the text); file inventory.pdf; p. 2")
    answer, _ = assistant.ask("When does the porcelain exhibition open?")
    assert (answer.quotes[0].doc_id, answer.quotes[0].text.split(". ")[0] + ".") == (
        "petrova-1951-03-02", PETROVA_FACT)
    # The incremental index equals a full rebuild: same chunks, vectors within float tolerance
    # (the model embeds a batch of other sizes), same BM25 files byte for byte.
    full = build_index(tiny_settings.replace(index_dir=tmp_path / "full"), real_model,
                       progress=False)
    assert assistant.index.chunks == full.chunks
    assert assistant.index.sentences == full.sentences
    np.testing.assert_allclose(assistant.index.sentence_vectors, full.sentence_vectors, atol=1e-5)
    np.testing.assert_allclose(np.load(tiny_settings.index_dir / "chunks.npy"),
                               np.load(tmp_path / "full" / "chunks.npy"), atol=1e-5)
    for name in ("chunks.jsonl", "sentences.jsonl", "bm25/vocab.index.json",
                 "bm25/data.csc.index.npy", "bm25/indices.csc.index.npy"):
        assert (tiny_settings.index_dir / name).read_bytes() == (tmp_path / "full" / name).read_bytes()


def test_a_change_killed_between_its_two_renames_is_recovered(tiny_settings, tiny_index,
                                                                archive):
    # A killed add can leave the old corpus moved into its stage folder and no corpus folder
    # (on a file system without an atomic exchange); the next change puts it back first.
    corpus = tiny_settings.corpus_dir
    before = snapshot(corpus)
    stage = corpus.parent / ".corpus-stage-killed"
    stage.mkdir()
    corpus.rename(stage / "old")
    change = add_documents(tiny_settings, [archive / "sokolov-reply.md"], FakeEmbedder())
    assert [s.reason for s in change.skipped] == [
        "reply-to names no document of the corpus: petrova-1951-03-02 "
        "(see `python -m assistant list`)"]
    assert snapshot(corpus) == before and not stage.exists()


def test_remove_never_deletes_a_file_outside_the_corpus(tiny_settings, tiny_index):
    outside = tiny_settings.corpus_dir.parent / "precious.txt"
    outside.write_text("Not part of the corpus.\n", encoding="utf-8")
    with (tiny_settings.corpus_dir / "manifest.jsonl").open("a", encoding="utf-8") as fh:
        # Seen from the staged copy of the corpus, one folder deeper, this names precious.txt.
        fh.write(json.dumps({"id": "escape", "source": "../../precious.txt", "start": 0, "end": 10,
                             "title": "Escape", "kind": "note"}) + "\n")
    change = remove_documents(tiny_settings, ["escape"], FakeEmbedder())
    assert change.removed == ("escape",)
    assert outside.read_text(encoding="utf-8") == "Not part of the corpus.\n"
