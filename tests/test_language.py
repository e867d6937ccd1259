"""The article's language from its own text (extract-v2/v3 publish it over the model's guess)."""

from __future__ import annotations

import pytest

from diplosum._article import parse_text
from diplosum._cited import CitedExtraction
from diplosum._evidence import build_cited_summary
from diplosum._language import detect_language

_EN = (
    "Turkey said on Monday that it was ready to host talks between Russia and Ukraine in "
    "Istanbul, and that the two delegations would meet at the Dolmabahce palace. The offer "
    "was welcomed by the United Nations, which has urged both sides to return to the table."
)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (_EN, "en"),
        (
            "La Norvège a proposé lundi d'accueillir les pourparlers entre le gouvernement et "
            "les rebelles, qui se sont dits prêts à participer à une réunion dans la capitale. "
            "Le ministre a salué une étape importante pour la paix.",
            "fr",
        ),
        (
            "El gobierno de Colombia y los rebeldes del ELN reanudarán las conversaciones de "
            "paz en Caracas, según un comunicado conjunto publicado por los mediadores. Las "
            "delegaciones se reunirán la próxima semana con garantes de Cuba y Noruega.",
            "es",
        ),
        (
            "Die Regierung in Berlin hat sich bereit erklärt, die Gespräche zwischen den "
            "beiden Seiten auszurichten. Der Außenminister sagte, die Verhandlungen würden "
            "im nächsten Monat in der Hauptstadt beginnen und seien nicht einfach.",
            "de",
        ),
        (
            "Türkiye, Rusya ve Ukrayna arasındaki görüşmelere ev sahipliği yapmaya hazır "
            "olduğunu açıkladı. Dışişleri Bakanı, bu görüşmelerin İstanbul'da yapılacağını ve "
            "bir ateşkes için çok önemli olduğunu söyledi, ancak tarih henüz belli değil.",
            "tr",
        ),
        ("Министр заявил, что переговоры пройдут в Стамбуле на следующей неделе.", "ru"),
        ("Міністр заявив, що переговори відбудуться в Стамбулі наступного тижня.", "uk"),
        ("قال وزير الخارجية إن المحادثات ستعقد في الدوحة الأسبوع المقبل", "ar"),
        ("وزیر امور خارجه گفت که گفتگوها هفته آینده در مسقط برگزار می شود", "fa"),
        ("外交部表示，双方将于下周在北京举行会谈。", "zh"),
        ("外務省は、来週東京で協議が行われると発表した。", "ja"),
    ],
)
def test_the_language_of_the_text(text: str, code: str) -> None:
    assert detect_language(text) == code


@pytest.mark.parametrize("text", ["", "Qatar. Doha. 2026.", "Talks in Doha on Monday."])
def test_too_little_text_settles_nothing(text: str) -> None:
    assert detect_language(text) is None


def test_the_text_overrules_the_models_guess() -> None:
    """The model said "tr" for an English report on Türkiye: the published language is "en";
    when the text settles nothing, the model's code stands."""
    answer = {"actors": [], "language": "tr"}
    summary, _ = build_cited_summary(parse_text(_EN), CitedExtraction.model_validate(answer))
    assert summary.language == "en"
    short = parse_text("Talks in Doha on Monday.")
    summary, _ = build_cited_summary(short, CitedExtraction.model_validate(answer))
    assert summary.language == "tr"
