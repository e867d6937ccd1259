"""Files and records become articles; bad input raises ArticleError naming the file."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from diplosum._article import parse_text, read_article
from diplosum._inputs import iter_articles
from diplosum.errors import ArticleError


def test_header_line_gives_date_and_headline() -> None:
    """A 'date YYYY-MM-DD headline' first line is metadata, not body."""
    art = parse_text(" date 2025-05-13 Talks in Doha\n\nBody text here.")
    assert art.published == dt.date(2025, 5, 13)
    assert art.headline == "Talks in Doha"
    assert art.text == "Body text here."
    assert len(art.sha256) == 64


def test_plain_text_without_header() -> None:
    """Text without a header keeps every line as body."""
    art = parse_text("Just a body.\nSecond line.", id="x")
    assert art.published is None and art.headline is None
    assert art.text == "Just a body.\nSecond line."


def test_impossible_header_date(tmp_path: Path) -> None:
    """A header with an impossible date is refused, naming the file."""
    f = tmp_path / "bad.txt"
    f.write_text("date 2025-02-30 Headline\n\nBody")
    with pytest.raises(ArticleError, match=r"bad\.txt.*impossible date"):
        read_article(f)


def test_html_is_reduced_to_text(tmp_path: Path) -> None:
    """Scripts and styles are dropped; the title becomes the headline; entities decoded."""
    f = tmp_path / "a.html"
    f.write_text(
        "<html><head><title>Summit &amp; talks</title><style>p{}</style></head>"
        "<body><script>alert('x')</script><p>Qatar offered&nbsp;to host.</p><p>Second.</p></body></html>"
    )
    art = read_article(f)
    assert art.headline == "Summit & talks"
    assert "alert" not in art.text and "p{}" not in art.text
    assert art.text == "Qatar offered to host.\n\nSecond."
    assert art.format == "html"


def test_json_record(tmp_path: Path) -> None:
    """A JSON record's text, published, headline and id are used."""
    f = tmp_path / "r.json"
    f.write_text(
        json.dumps({"id": "r1", "text": "Body.", "published": "2025-01-02", "headline": "H"})
    )
    art = read_article(f)
    assert (art.id, art.text, art.published, art.headline) == (
        "r1",
        "Body.",
        dt.date(2025, 1, 2),
        "H",
    )


def test_jsonl_broken_line_does_not_stop_the_rest(tmp_path: Path) -> None:
    """One broken JSONL line is an error naming file and line; the others are read."""
    f = tmp_path / "many.jsonl"
    f.write_text(
        '{"id": "a", "text": "One."}\n{broken\n{"id": "c", "text": "Three."}\n{"id": "d"}\n'
    )
    out = list(iter_articles([f]))
    assert [o.id for o in out if not isinstance(o, ArticleError)] == ["a", "c"]
    errors = [o for o in out if isinstance(o, ArticleError)]
    assert [e.source for e in errors] == [f"{f}:2", f"{f}:4"]
    assert "no 'text' field" in str(errors[1])


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"   \n\t\n", "empty"),
        ("bin.txt", b"\x00\x01\x02binary", "binary"),
        ("latin1.txt", "Caf\u00e9 talks".encode("latin-1"), "not valid UTF-8"),
        ("header-only.txt", b"date 2025-01-01 Headline only\n", "empty"),
        ("notjson.json", b"{not json", "invalid JSON"),
        ("list.json", b"[1, 2]", "must be an object"),
        ("notext.json", b'{"title": "x"}', "no 'text' field"),
    ],
)
def test_bad_files_are_named_errors(tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    """Each kind of bad input raises ArticleError with the file and the reason."""
    f = tmp_path / name
    f.write_bytes(content)
    with pytest.raises(ArticleError) as info:
        read_article(f)
    assert info.value.source == str(f)
    assert reason in str(info.value)


def test_utf16_with_bom_is_read(tmp_path: Path) -> None:
    """UTF-16 with a byte-order mark is detected and decoded."""
    f = tmp_path / "u16.txt"
    f.write_bytes("Talks in Zürich.".encode("utf-16"))
    assert read_article(f).text == "Talks in Zürich."


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    """Files over the size limit are refused before being read whole."""
    f = tmp_path / "big.txt"
    f.write_bytes(b"a" * 2000)
    with pytest.raises(ArticleError, match="over the 1,000-byte limit"):
        read_article(f, max_bytes=1000)


def test_folder_walk_skips_hidden_and_other_suffixes_and_survives_loops(tmp_path: Path) -> None:
    """Folders are walked in name order; symlink loops are reported, not followed forever."""
    (tmp_path / "b.txt").write_text("B body.")
    (tmp_path / "a.md").write_text("A body.")
    (tmp_path / ".hidden.txt").write_text("hidden")
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "c.txt").write_text("C body.")
    (sub / "loop").symlink_to(tmp_path)
    out = list(iter_articles([tmp_path]))
    assert [o.id for o in out if not isinstance(o, ArticleError)] == ["a.md", "b.txt", "c.txt"]
    assert any("symlink loop" in str(o) for o in out if isinstance(o, ArticleError))


def test_missing_path_is_an_error_not_a_crash(tmp_path: Path) -> None:
    """A path that does not exist yields an error naming it."""
    out = list(iter_articles([tmp_path / "nope.txt"]))
    assert len(out) == 1 and isinstance(out[0], ArticleError)
    assert "does not exist" in str(out[0])
