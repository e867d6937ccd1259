"""``diplosum eval``: actor matching, the null rules, grounding, failures, comparison, the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from diplosum._records import OutputRecord, read_records
from diplosum.cli import run as cli_run
from diplosum.evaluate import Gold, compare, load_gold, load_predictions, score
from diplosum.testing import FakeOpenAIServer
from tests.test_report import (
    TALKS,
    actor,
    date,
    failure,
    position,
    record,
    talks_record,
    venue,
    write_article,
    write_jsonl,
)

TURKISH = (
    "Turkish officials said Ankara is ready to host Russia and Ukraine in Istanbul on Thursday. "
    "The UN welcomed the offer. Moscow said it wants guarantees first."
)


def gold(
    file: str,
    *,
    mediators: tuple[str, ...] = (),
    parties: tuple[str, ...] = (),
    city: str | None = None,
    country: str | None = None,
    day: str | None = None,
    positions: tuple[str, ...] = (),
) -> dict[str, Any]:
    """A gold annotation line."""
    has_venue = city is not None or country is not None
    return {
        "file": file,
        "published": "2025-05-13",
        "mediators": list(mediators),
        "parties": list(parties),
        "venue": {"city": city, "country": country} if has_venue else None,
        "proposed_date": day,
        "positions": [{"actor": a, "stance": "s", "evidence": "e"} for a in positions],
    }


TALKS_GOLD = gold(
    "talks.txt",
    mediators=("Qatar",),
    parties=("Sudan", "Chad"),
    city="Doha",
    country="Qatar",
    day="2025-05-15",
    positions=("Sudan", "Chad"),
)


def scored(golds: list[dict[str, Any]], records: list[dict[str, Any]]) -> Any:
    """Score record dicts against gold dicts."""
    return score(
        [Gold.from_json(g) for g in golds], [OutputRecord.model_validate(r) for r in records]
    )


def test_a_perfect_prediction_scores_one_everywhere(tmp_path: Path) -> None:
    """Every metric is 1 when the prediction matches gold; only the dropped quote is listed."""
    art = write_article(tmp_path, "talks.txt", TALKS)
    scores = scored([TALKS_GOLD], [talks_record(art)])
    head = scores.headline()
    assert all(head[m] == 1.0 for m in head if m != "grounding_rate")
    assert scores.articles[0].problems() == [
        ("grounding", "7 of 8 quotes verbatim (0 fuzzy, 1 not found)")
    ]


def test_states_match_by_iso_code_and_organisations_by_canonical_name(tmp_path: Path) -> None:
    """Gold "Turkey"/"UN" match predicted "Türkiye" (from "Ankara") and "United Nations"."""
    art = write_article(tmp_path, "tr.txt", TURKISH)
    rec = record(
        art,
        mediators=[
            actor(art, "Türkiye", "Ankara is ready", "TUR"),
            actor(art, "United Nations", "The UN welcomed", kind="organisation"),
        ],
        parties=[actor(art, "Russia", "Moscow said", "RUS")],
    )
    g = gold("tr.txt", mediators=("Turkey", "UN"), parties=("Moscow", "Ukraine"))
    a = scored([g], [rec]).articles[0]
    assert (a.mediators.tp, a.mediators.fp, a.mediators.fn) == (2, 0, 0)
    assert (a.parties.tp, a.parties.fp, a.parties.fn) == (1, 0, 1)
    assert a.parties.missing == ["Ukraine"]


def test_actor_scores_are_micro_averaged(tmp_path: Path) -> None:
    """Precision, recall and F1 come from counts summed over articles, not averaged scores."""
    one = write_article(tmp_path, "one.txt", TALKS)
    two = write_article(tmp_path, "two.txt", TURKISH)
    recs = [
        record(one, parties=[actor(one, "Sudan", "Sudan wants", "SDN")]),  # tp 1, fn 1
        record(
            two,
            parties=[
                actor(two, "Russia", "Moscow said", "RUS"),  # tp
                actor(two, "Ukraine", "Russia and Ukraine", "UKR"),  # tp
                actor(two, "Türkiye", "Ankara is ready", "TUR"),  # fp
            ],
        ),
    ]
    golds = [
        gold("one.txt", parties=("Sudan", "Chad")),
        gold("two.txt", parties=("Russia", "Ukraine")),
    ]
    t = scored(golds, recs).totals()["parties"]
    assert (t["tp"], t["fp"], t["fn"]) == (3, 1, 1)
    assert t["precision"] == pytest.approx(0.75) and t["recall"] == pytest.approx(0.75)
    assert t["f1"] == pytest.approx(0.75)


def test_null_rules_for_venue_and_date(tmp_path: Path) -> None:
    """Null for null is right; a guess where gold is null, or null where gold has one, is wrong."""
    art = write_article(tmp_path, "talks.txt", TALKS)
    guess = record(
        art,
        venue=venue(art, "Doha", "Qatar", "QAT", "in Doha"),
        date=date(art, "2025-05-15", "May 15", "May 15"),
    )
    silent = record(art)
    null_gold = gold("talks.txt")
    full_gold = gold("talks.txt", city="Doha", country="Qatar", day="2025-05-15")
    right = scored([null_gold], [silent]).articles[0]
    assert right.city.correct and right.country.correct and right.date.correct
    for g, rec in ((null_gold, guess), (full_gold, silent)):
        wrong = scored([g], [rec]).articles[0]
        assert not (wrong.city.correct or wrong.country.correct or wrong.date.correct)


def test_venues_compare_after_normalisation(tmp_path: Path) -> None:
    """Cities compare case-insensitively after resolve_venue; countries by ISO code."""
    art = write_article(tmp_path, "tr.txt", TURKISH)
    rec = record(art, venue=venue(art, "Istanbul", "Türkiye", "TUR", "in Istanbul"))
    a = scored([gold("tr.txt", city="istanbul", country="Turkey")], [rec]).articles[0]
    assert a.city.correct and a.country.correct
    b = scored([gold("tr.txt", city="Ankara", country="Türkiye")], [rec]).articles[0]
    assert not b.city.correct and b.country.correct
    assert ("venue city", "Istanbul, gold Ankara") in b.problems()


def test_a_city_compares_without_its_accents(tmp_path: Path) -> None:
    """Gold written in ASCII ("Noumea", "Dajabon") names the city the summary spells with its
    accents ("Nouméa")."""
    art = write_article(tmp_path, "nc.txt", TURKISH)
    rec = record(art, venue=venue(art, "Nouméa", "New Caledonia", "NCL", "in Istanbul"))
    # gold that gives the sovereign as the country: the gazetteer does not place the city there
    a = scored([gold("nc.txt", city="Noumea", country="France")], [rec]).articles[0]
    assert a.city.correct and not a.country.correct
    b = scored([gold("nc.txt", city="Nouakchott", country="New Caledonia")], [rec]).articles[0]
    assert not b.city.correct


def test_dates_compare_exactly_at_their_precision(tmp_path: Path) -> None:
    """A month-precision date is "YYYY-MM" and does not match a gold day."""
    art = write_article(tmp_path, "talks.txt", TALKS)
    rec = record(art, date=date(art, "2025-05-01", "May", "on May 15", precision="month"))
    a = scored([gold("talks.txt", day="2025-05-15")], [rec]).articles[0]
    assert not a.date.correct and a.date.pred == "2025-05"
    assert scored([gold("talks.txt", day="2025-05")], [rec]).articles[0].date.correct


def test_a_week_is_its_iso_week(tmp_path: Path) -> None:
    """ "next week" names no day: it is the ISO week "YYYY-Www", not its Monday."""
    art = write_article(tmp_path, "talks.txt", TALKS)
    rec = record(art, date=date(art, "2025-05-19", "next week", "on May 15", precision="week"))
    a = scored([gold("talks.txt", day="2025-05-19")], [rec]).articles[0]
    assert not a.date.correct and a.date.pred == "2025-W21"
    assert scored([gold("talks.txt", day="2025-W21")], [rec]).articles[0].date.correct


def test_position_actor_recall_counts_distinct_actors(tmp_path: Path) -> None:
    """Gold actors with several positions count once; found when any prediction names them."""
    art = write_article(tmp_path, "talks.txt", TALKS)
    rec = record(art, positions=[position(art, "Sudan", "ceasefire", "Sudan wants a ceasefire")])
    g = gold("talks.txt", positions=("Sudan", "Sudan", "Chad"))
    totals = scored([g], [rec]).totals()["position_actor_recall"]
    assert totals == {"recall": 0.5, "found": 1, "gold": 2}


def test_grounding_locates_quotes_in_the_article(tmp_path: Path) -> None:
    """Exact quotes count; a fuzzy model quote and a dropped one do not; positions apart."""
    art = write_article(tmp_path, "talks.txt", TALKS)
    rec = record(
        art,
        parties=[actor(art, "Sudan", "Sudan wants", "SDN")],
        positions=[
            position(
                art,
                "Sudan",
                "ceasefire",
                "Sudan wants a ceasefire first",
                status="fuzzy",
                model_quote="“Sudan wants a ceasefire first”",
            )
        ],
        dropped=[{"field": "venue", "item": "Doha", "reason": "quote not found: 'in Doha city'"}],
    )
    g = scored([gold("talks.txt")], [rec]).articles[0].grounding
    assert (g.quotes, g.verbatim, g.fuzzy, g.not_found) == (3, 1, 1, 1)
    assert (g.position_quotes, g.position_verbatim) == (1, 0)


def test_grounding_reads_the_article_not_the_record(tmp_path: Path) -> None:
    """A quote the record calls exact but that is not in the article counts as not found."""
    art = write_article(tmp_path, "talks.txt", TALKS)
    rec = record(art, parties=[actor(art, "Sudan", "Sudan wants", "SDN")])
    rec["summary"]["parties"][0]["evidence"][0]["quote"] = "Sudan demands"
    a = scored([gold("talks.txt")], [rec]).articles[0]
    assert (a.grounding.verbatim, a.grounding.not_found) == (0, 1)
    assert a.article == "ok"


def test_without_the_article_the_evidence_status_is_used(tmp_path: Path) -> None:
    """When the source is gone, recorded statuses decide, and the article is reported missing."""
    art = write_article(tmp_path, "talks.txt", TALKS)
    rec = record(art, positions=[position(art, "Sudan", "c", "Sudan wants", status="fuzzy")])
    rec["summary"]["positions"][0]["evidence"]["quote"] = "not in the article at all"
    (tmp_path / "talks.txt").unlink()
    a = scored([gold("talks.txt")], [rec]).articles[0]
    assert (a.grounding.quotes, a.grounding.fuzzy) == (1, 1)
    assert ("article", "missing since it was summarised") in a.problems()


def test_missing_and_failed_predictions_are_failures_scored_empty(tmp_path: Path) -> None:
    """No record, or a failed one, is a failure and scores as an empty summary."""
    golds = [
        gold("a.txt", parties=("Sudan",)),
        gold("b.txt"),
        gold("c.txt", city="Doha"),
    ]
    scores = scored(golds, [failure("b.txt", str(tmp_path / "b.txt"))])
    t = scores.totals()
    assert (t["failures"], t["missing"]) == (3, 2)
    a, b, c = scores.articles
    assert a.status == "missing" and a.parties.fn == 1
    assert b.status == "error" and b.city.correct and b.date.correct
    assert ("failure", "ProviderError: HTTP 500 from the endpoint") in b.problems()
    assert not c.city.correct


def test_records_join_by_id_or_source_name(tmp_path: Path) -> None:
    """A record joins gold by its id, else by its source's file name; others are extras."""
    art = write_article(tmp_path, "talks.txt", TALKS)
    by_source = record(art) | {"id": "renamed"}
    stray = record(art) | {"id": "stray", "source": str(tmp_path / "stray.txt")}
    scores = scored([gold("talks.txt")], [stray, by_source])
    assert scores.articles[0].status == "ok"
    assert scores.extra == ["stray"]


def test_a_success_wins_over_a_failure_for_one_article(tmp_path: Path) -> None:
    """With a failed and a successful record for one file (a resumed run), the success counts."""
    art = write_article(tmp_path, "talks.txt", TALKS)
    for order in ((0, 1), (1, 0)):
        recs = [talks_record(art), failure("talks.txt", art.source)]
        scores = scored([TALKS_GOLD], [recs[i] for i in order])
        assert scores.articles[0].status == "ok"


def test_tokens_and_cost_are_summed(tmp_path: Path) -> None:
    """Tokens and known costs add up; a record with tokens and no price counts as unknown."""
    one = write_article(tmp_path, "one.txt", TALKS)
    two = write_article(tmp_path, "two.txt", TURKISH)
    recs = [record(one, tokens=100, cost=0.25), record(two, tokens=50, cost=None, cached=True)]
    t = scored([gold("one.txt"), gold("two.txt")], recs).totals()
    assert (t["tokens"], t["cost_usd"], t["cost_unknown"], t["cached"]) == (150, 0.25, 1, 1)
    assert t["models"] == ["openai/gpt-4o-mini"] and t["prompt_versions"] == ["extract-v1"]


def test_reask_rate_counts_articles_that_took_more_than_one_call(tmp_path: Path) -> None:
    """Re-asked articles, model calls and prompt tokens per article come from the records;
    an article without a record is not counted."""
    one = write_article(tmp_path, "one.txt", TALKS)
    two = write_article(tmp_path, "two.txt", TURKISH)
    recs = [record(one, tokens=100, attempts=3), record(two, tokens=50, attempts=1)]
    scores = scored([gold("one.txt"), gold("two.txt"), gold("three.txt")], recs)
    reasks = scores.totals()["reasks"]
    assert reasks == {
        "rate": 0.5,
        "reasked": 1,
        "articles": 2,
        "model_calls": 4,
        "prompt_tokens": 90 + 40,
    }
    assert [a.to_json()["attempts"] for a in scores.articles] == [3, 1, 0]
    assert scored([gold("three.txt")], []).totals()["reasks"]["rate"] is None


def test_compare_lists_articles_that_got_better_or_worse(tmp_path: Path) -> None:
    """Per metric, articles whose value rose are better, those whose value fell are worse."""
    one = write_article(tmp_path, "one.txt", TALKS)
    two = write_article(tmp_path, "two.txt", TURKISH)
    golds = [gold("one.txt", parties=("Sudan",)), gold("two.txt", parties=("Russia",))]
    sudan = actor(one, "Sudan", "Sudan wants", "SDN")
    russia = actor(two, "Russia", "Moscow said", "RUS")
    before = scored(golds, [record(one), record(two, parties=[russia])])
    after = scored(golds, [record(one, parties=[sudan]), record(two)])
    result = compare(before, after)
    assert result["better"]["parties_f1"] == ["one.txt"]
    assert result["worse"]["parties_f1"] == ["two.txt"]
    assert result["better"]["venue_city"] == [] and result["totals"]["parties_f1"]["delta"] == 0


def test_cli_prints_tables_and_writes_every_number(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``diplosum eval GOLD PRED --json OUT`` exits 0, tables on stderr, numbers in OUT."""
    art = write_article(tmp_path, "talks.txt", TALKS)
    gold_path = write_jsonl(tmp_path / "gold.jsonl", [TALKS_GOLD, gold("gone.txt")])
    pred = write_jsonl(tmp_path / "pred.jsonl", [talks_record(art)])
    out = tmp_path / "scores.json"
    assert cli_run(["eval", str(gold_path), str(pred), "--json", str(out)]) == 0
    err = capsys.readouterr().err
    assert "talks.txt  [1 wrong]" in err and "gone.txt  [1 wrong]" in err
    assert "  failure          no prediction for this article" in err
    assert "mediators P/R/F1     1.000/1.000/1.000" in err
    assert "failures             1" in err
    assert "re-ask rate          0.000" in err and "0 of 1 articles re-asked; 1.0 model" in err
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["totals"]["articles"] == 2 and data["totals"]["failures"] == 1
    assert [a["file"] for a in data["articles"]] == ["talks.txt", "gone.txt"]
    assert data["articles"][0]["values"]["venue_city"] == 1.0


def test_cli_compare_mode(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--compare`` scores a second file and says which articles changed, also to --json -."""
    art = write_article(tmp_path, "talks.txt", TALKS)
    gold_path = write_jsonl(tmp_path / "gold.jsonl", [TALKS_GOLD])
    a = write_jsonl(tmp_path / "a.jsonl", [talks_record(art)])
    b = write_jsonl(tmp_path / "b.jsonl", [record(art)])
    assert cli_run(["eval", str(gold_path), str(a), "--compare", str(b), "--json", "-", "-q"]) == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert data["comparison"]["worse"]["mediators_f1"] == ["talks.txt"]
    assert "talks.txt: worse mediators F1 1.00 -> 0.00" in captured.err


@pytest.mark.parametrize(
    "argv",
    [
        ["eval", "GOLD"],
        ["eval", "GOLD", "PRED", "--articles", "."],
        ["eval", "GOLD", "PRED", "-o", "x"],
    ],
)
def test_cli_usage_errors(argv: list[str], tmp_path: Path) -> None:
    """Neither or both of PRED and --articles, or -o without --articles: exit 2."""
    gold_path = write_jsonl(tmp_path / "gold.jsonl", [TALKS_GOLD])
    argv = [str(gold_path) if a == "GOLD" else a for a in argv]
    assert cli_run(argv) == 2


def test_bad_gold_line_is_an_error_naming_the_line(tmp_path: Path) -> None:
    """A gold line without ``file`` stops the evaluation and names file and line."""
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(TALKS_GOLD) + "\n" + json.dumps({"parties": []}) + "\n")
    with pytest.raises(Exception, match=r"gold.jsonl:2"):
        load_gold(path)


def test_a_half_written_prediction_line_is_skipped_and_said(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unparseable record line is skipped; the library lists it, ``eval`` says it."""
    art = write_article(tmp_path, "talks.txt", TALKS)
    path = write_jsonl(tmp_path / "pred.jsonl", [talks_record(art)])
    with path.open("a") as fh:
        fh.write('{"id": "half')
    assert len(load_predictions(path)) == 1
    assert capsys.readouterr().err == ""  # library code prints nothing
    assert [(s.line, s.is_json) for s in read_records(path).skipped] == [(2, False)]
    gold_path = write_jsonl(tmp_path / "gold.jsonl", [TALKS_GOLD])
    assert cli_run(["eval", str(gold_path), str(path), "-q"]) == 0
    assert "pred.jsonl:2: not an output record, skipped" in capsys.readouterr().err


def test_cli_summarises_the_gold_articles_through_the_cache(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--articles DIR`` summarises the gold files found there (the second run from the cache)."""
    folder = tmp_path / "articles"
    folder.mkdir()
    write_article(folder, "talks.txt", TALKS)
    write_article(folder, "tr.txt", TURKISH)
    write_article(folder, "not-in-gold.txt", TURKISH + " Extra.")
    gold_path = write_jsonl(
        tmp_path / "gold.jsonl", [TALKS_GOLD, gold("tr.txt"), gold("absent.txt")]
    )
    with FakeOpenAIServer() as server:
        argv = ["eval", str(gold_path), "--articles", str(folder), "-m", "fake"]
        argv += ["--base-url", server.base_url, "--cache", str(tmp_path / "c.db")]
        argv += ["-o", str(tmp_path / "out.jsonl"), "--json", str(tmp_path / "s.json")]
        assert cli_run(argv) == 0
        requests = server.requests
        assert cli_run(argv) == 0
        assert server.requests == requests == 2
    totals = json.loads((tmp_path / "s.json").read_text())["totals"]
    assert (totals["articles"], totals["failures"], totals["cached"]) == (3, 1, 2)
    lines = (tmp_path / "out.jsonl").read_text().splitlines()
    assert sorted(json.loads(line)["id"] for line in lines) == ["absent.txt", "talks.txt", "tr.txt"]
    assert "absent.txt: error" in capsys.readouterr().err


def test_dropped_items_and_seconds_per_article_are_totalled(tmp_path: Path) -> None:
    """Dropped items (demotions and replacements apart) per 10 articles, and the median latency
    of fresh calls."""
    one = write_article(tmp_path, "one.txt", TALKS)
    two = write_article(tmp_path, "two.txt", TURKISH)
    demoted = {"field": "mediators", "item": "France", "reason": "demoted: no mediating role"}
    gone = {
        "field": "parties",
        "item": "Atlantis",
        "reason": "no segment of the article mentions it",
    }
    replaced = {
        "field": "proposed_date",
        "item": "next year",
        "reason": "replaced: the phrase names no day; segment 2 dates the talks",
    }
    recs = [record(one, dropped=[demoted, gone, replaced]), record(two, cached=True)]
    recs[0]["latency_s"], recs[1]["latency_s"] = 12.5, 0.01
    totals = scored([gold("one.txt"), gold("two.txt")], recs).totals()
    assert totals["dropped"] == {
        "items": 3,
        "demoted_or_moved": 1,
        "replaced": 1,
        "per_10_articles": 5.0,
        "true_items_lost": 0,  # the gold names neither Atlantis nor France
        "lost_per_10_articles": 0.0,
    }
    assert totals["latency_s"] == {"median": 12.5, "min": 12.5, "max": 12.5}


def test_true_items_lost_are_the_dropped_items_the_gold_holds(tmp_path: Path) -> None:
    """A dropped party the gold names, a dropped venue that is the gold's city and a dropped
    date that is the gold's day are true items lost; a refused country-as-venue, a weekday of a
    statement where the gold has no date, and a demotion are not."""
    one = write_article(tmp_path, "one.txt", TALKS)
    two = write_article(tmp_path, "two.txt", TURKISH)

    def dropped(field: str, item: str, reason: str = "no segment mentions it") -> dict[str, str]:
        return {"field": field, "item": item, "reason": reason}

    recs = [
        record(
            one,
            dropped=[
                dropped("parties", "Ukraine"),
                dropped("parties", "Atlantis"),
                dropped("venue", "Istanbul"),
                dropped("proposed_date", "May 15"),
                dropped("mediators", "NATO", "demoted: no mediating role"),
            ],
        ),
        record(two, dropped=[dropped("venue", "Russia"), dropped("proposed_date", "Friday")]),
    ]
    golds = [
        gold("one.txt", parties=("Russia", "Ukraine"), city="Istanbul", day="2025-05-15"),
        gold("two.txt", parties=("Russia", "Ukraine")),
    ]
    totals = scored(golds, recs).totals()["dropped"]
    assert (totals["items"], totals["demoted_or_moved"]) == (7, 1)
    assert totals["true_items_lost"] == 3 and totals["lost_per_10_articles"] == 15.0


def test_a_dropped_position_whose_stance_is_kept_for_another_actor_is_not_lost(
    tmp_path: Path,
) -> None:
    """The model gave one stance twice, to the right actor and to a wrong one; the checks kept
    the first and dropped the second. Nothing true was lost, and a dropped stance the summary
    does not keep still counts as lost."""
    art = write_article(tmp_path, "talks.txt", TALKS)
    said = "The Sudanese foreign minister said Sudan wants a ceasefire first."
    kept = position(art, "Sudan", "Sudan wants a ceasefire first", said)

    def dropped(stance: str) -> dict[str, str]:
        return {"field": "positions", "item": stance, "reason": "segment 2 names neither 'Chad'"}

    duplicate = record(art, positions=[kept], dropped=[dropped("Khartoum wants a ceasefire first")])
    other = record(art, positions=[kept], dropped=[dropped("Chad rejects any preconditions")])
    golds = [gold("talks.txt", parties=("Sudan", "Chad"), positions=("Sudan", "Chad"))]
    assert scored(golds, [duplicate]).totals()["dropped"]["true_items_lost"] == 0
    assert scored(golds, [other]).totals()["dropped"]["true_items_lost"] == 1
