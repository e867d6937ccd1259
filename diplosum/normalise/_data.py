"""Small curated tables for :mod:`diplosum.normalise`: only what no data library knows.

Countries, their official names and their capitals come from ``pycountry`` and the GeoNames
gazetteer (:mod:`diplosum.normalise._gazetteer`); these tables hold the rest: display names for
the few ISO names written "Surname, Given" style, spellings ISO does not list, seats of power,
irregular demonyms, organisations and armed groups, and the words that decide whether a longer
phrase still names the state ("Qatari mediators") or something else ("Syrian opposition").

It is over 400 lines because it is data, not logic: one table per kind of name.

Keys are written plainly; :func:`diplosum.normalise._key` folds case, accents and punctuation.
"""

from __future__ import annotations

from typing import Final, Literal

# ISO 3166 names that read badly in a summary (the "common_name" field covers most others).
DISPLAY_NAMES: Final[dict[str, str]] = {
    "RUS": "Russia",
    "COD": "Democratic Republic of the Congo",
    "COG": "Republic of the Congo",
    "PSE": "Palestine",
    "BRN": "Brunei",
    "VAT": "Holy See",
    "FSM": "Micronesia",
    "FLK": "Falkland Islands",
    "VGB": "British Virgin Islands",
    "VIR": "United States Virgin Islands",
    "MAF": "Saint Martin",
    "SXM": "Sint Maarten",
    "CCK": "Cocos (Keeling) Islands",
    "BES": "Bonaire, Sint Eustatius and Saba",
    "SHN": "Saint Helena, Ascension and Tristan da Cunha",
}

# Other spellings of states, old and new, that ISO 3166 does not list.
STATE_ALIASES: Final[dict[str, str]] = {
    "Turkey": "TUR",
    "US": "USA",
    "America": "USA",
    "UK": "GBR",
    "Britain": "GBR",
    "Great Britain": "GBR",
    "UAE": "ARE",
    "Emirates": "ARE",
    "DRC": "COD",
    "DR Congo": "COD",
    "Congo-Kinshasa": "COD",
    "Congo-Brazzaville": "COG",
    "Ivory Coast": "CIV",
    "Burma": "MMR",
    "Cape Verde": "CPV",
    "Swaziland": "SWZ",
    "East Timor": "TLS",
    "Vatican": "VAT",
    "Vatican City": "VAT",
    "Bosnia": "BIH",
    "DPRK": "PRK",
    "ROK": "KOR",
    "PRC": "CHN",
    "KSA": "SAU",
    "Kosovo": "XKX",
    "Pridnestrovie": "XTR",
    "Transdniestria": "XTR",
    "Transdniester": "XTR",
    "Trans-Dniester": "XTR",
    "Turkish Republic of Northern Cyprus": "XNC",
    "TRNC": "XNC",
    "North Cyprus": "XNC",
}

# Seats of power and spellings of capitals that the GeoNames capital list does not give.
METONYMS: Final[dict[str, str]] = {
    "Kremlin": "RUS",
    "White House": "USA",
    "State Department": "USA",
    "Pentagon": "USA",
    "Foggy Bottom": "USA",
    "Downing Street": "GBR",
    "Whitehall": "GBR",
    "Élysée": "FRA",
    "Élysée Palace": "FRA",
    "Quai d'Orsay": "FRA",
    "Zhongnanhai": "CHN",
    "Tiraspol": "XTR",  # the de facto states' seats, which no capital list gives
    "Sukhumi": "XAB",
    "Sokhumi": "XAB",
    "Tskhinvali": "XSO",
    "Hargeisa": "XSL",
    "Pope": "VAT",  # "the Pope's envoy will chair the talks": the Holy See
    "Holy Father": "VAT",
    "Kiev": "UKR",
}

# Demonyms that suffix rules cannot derive from the country's name.
IRREGULAR_DEMONYMS: Final[dict[str, str]] = {
    "Turkish": "TUR",
    "Turk": "TUR",
    "British": "GBR",
    "Briton": "GBR",
    "French": "FRA",
    "German": "DEU",
    "Dutch": "NLD",
    "Greek": "GRC",
    "Cypriot": "CYP",
    "Swiss": "CHE",
    "Spanish": "ESP",
    "Swedish": "SWE",
    "Danish": "DNK",
    "Finnish": "FIN",
    "Polish": "POL",
    "Irish": "IRL",
    "Norwegian": "NOR",
    "Portuguese": "PRT",
    "Czech": "CZE",
    "Slovak": "SVK",
    "Bosnian": "BIH",
    "Emirati": "ARE",
    "Saudi": "SAU",
    "Thai": "THA",
    "Filipino": "PHL",
    "Philippine": "PHL",
    "Lebanese": "LBN",
    "Somali": "SOM",
    "Nigerien": "NER",
    "Peruvian": "PER",
    "Argentine": "ARG",
    "Malagasy": "MDG",
    "Togolese": "TGO",
    "Kosovar": "XKX",
    "Papal": "VAT",  # "a papal envoy"
    "Basotho": "LSO",
    "Mosotho": "LSO",
    "Transnistrian": "XTR",
    "Abkhaz": "XAB",
    "Abkhazian": "XAB",
    "Ossetian": "XSO",
}

# Suffix rules deriving demonyms from a country's short name, cheapest first: (strip, add).
# "Nigeria"+"n" beats "Niger"+"ian", so cost settles collisions between neighbours.
DEMONYM_RULES: Final[tuple[tuple[str, str], ...]] = (
    ("", "n"),
    ("", "i"),
    ("", "an"),
    ("", "ese"),
    ("", "ian"),
    ("a", "ese"),
    ("o", "an"),
    ("a", "ian"),
    ("e", "ian"),
    ("y", "ian"),
    ("istan", ""),
    ("stan", ""),
)

# Organisations and armed groups: canonical name -> (kind, other spellings).
GROUPS: Final[dict[str, tuple[Literal["organisation", "armed_group"], tuple[str, ...]]]] = {
    "NATO": ("organisation", ("North Atlantic Treaty Organization", "North Atlantic Alliance")),
    "United Nations": ("organisation", ("UN", "UNO")),
    "UN Security Council": ("organisation", ("UNSC", "United Nations Security Council")),
    "European Union": ("organisation", ("EU",)),
    "African Union": ("organisation", ("AU", "African Union Commission")),
    "ASEAN": ("organisation", ("Association of Southeast Asian Nations",)),
    "OSCE": (
        "organisation",
        (
            "Organization for Security and Co-operation in Europe",
            "Organization for Security and Cooperation in Europe",
        ),
    ),
    "Arab League": ("organisation", ("League of Arab States",)),
    "Gulf Cooperation Council": (
        "organisation",
        ("GCC", "Cooperation Council for the Arab States of the Gulf"),
    ),
    "IGAD": ("organisation", ("Intergovernmental Authority on Development",)),
    "ECOWAS": ("organisation", ("Economic Community of West African States",)),
    "SADC": ("organisation", ("Southern African Development Community",)),
    "East African Community": ("organisation", ("EAC",)),
    "ECCAS": (
        "organisation",
        ("Economic Community of Central African States", "CEEAC"),
    ),
    "ICGLR": ("organisation", ("International Conference on the Great Lakes Region",)),
    "OAS": ("organisation", ("Organization of American States",)),
    "CARICOM": ("organisation", ("Caribbean Community",)),
    "CELAC": ("organisation", ("Community of Latin American and Caribbean States",)),
    "Pacific Islands Forum": ("organisation", ()),
    # Regional and intergovernmental bodies that convene, chair or observe talks (added BUILD 64:
    # an unknown organisation is no candidate when the checks read a role from the text).
    "Andean Community": ("organisation", ("Andean Community of Nations", "Comunidad Andina")),
    "Mercosur": ("organisation", ("Mercosul", "Southern Common Market")),
    "SICA": ("organisation", ("Central American Integration System",)),
    "UNASUR": ("organisation", ("Union of South American Nations",)),
    "Pacific Alliance": ("organisation", ()),
    "OECS": ("organisation", ("Organisation of Eastern Caribbean States",)),
    "Commonwealth of Nations": ("organisation", ("Commonwealth Secretariat",)),
    "Commonwealth of Independent States": ("organisation", ("CIS",)),
    "Council of Europe": ("organisation", ()),
    "Organization of Turkic States": ("organisation", ("Organisation of Turkic States",)),
    "Eurasian Economic Union": ("organisation", ("EAEU",)),
    "SAARC": ("organisation", ("South Asian Association for Regional Cooperation",)),
    "BIMSTEC": ("organisation", ()),
    "Mekong River Commission": ("organisation", ()),
    "COMESA": ("organisation", ("Common Market for Eastern and Southern Africa",)),
    "Indian Ocean Commission": ("organisation", ()),
    "Arab Maghreb Union": ("organisation", ()),
    "Lake Chad Basin Commission": ("organisation", ()),
    "Alliance of Sahel States": ("organisation", ("AES",)),
    "Nordic Council": ("organisation", ()),
    "CSTO": ("organisation", ("Collective Security Treaty Organization",)),
    "Organisation of Islamic Cooperation": ("organisation", ("OIC",)),
    "Shanghai Cooperation Organisation": ("organisation", ("SCO",)),
    "BRICS": ("organisation", ()),
    "G7": ("organisation", ("Group of Seven",)),
    "G20": ("organisation", ("Group of Twenty",)),
    "International Committee of the Red Cross": ("organisation", ("ICRC",)),
    "IAEA": ("organisation", ("International Atomic Energy Agency",)),
    "Community of Sant'Egidio": ("organisation", ("Sant'Egidio",)),
    "Palestinian Authority": ("organisation", ("Palestinian National Authority",)),
    "Palestine Liberation Organization": ("organisation", ("PLO",)),
    "Fatah": ("organisation", ()),
    "Hamas": ("armed_group", ()),
    "Hezbollah": ("armed_group", ("Hizbollah", "Hizballah", "Hizbullah")),
    "Houthis": ("armed_group", ("Houthi", "Huthis", "Huthi", "Ansar Allah", "Ansarallah")),
    "Palestinian Islamic Jihad": ("armed_group", ("Islamic Jihad", "PIJ")),
    "M23": ("armed_group", ("March 23 Movement", "AFC/M23", "M23/AFC")),
    "TPLF": ("armed_group", ("Tigray People's Liberation Front",)),
    "ELN": ("armed_group", ("National Liberation Army", "Ejército de Liberación Nacional")),
    "FARC": ("armed_group", ("FARC-EP", "Revolutionary Armed Forces of Colombia")),
    "RSF": ("armed_group", ("Rapid Support Forces",)),
    "Taliban": ("armed_group", ()),
    "al-Shabaab": ("armed_group", ("al-Shabab", "Shabaab")),
    "Islamic State": ("armed_group", ("ISIS", "ISIL", "Daesh")),
    "PKK": ("armed_group", ("Kurdistan Workers' Party",)),
    "SDF": ("armed_group", ("Syrian Democratic Forces",)),
    "HTS": ("armed_group", ("Hayat Tahrir al-Sham",)),
    "Polisario Front": ("armed_group", ("Polisario",)),
    # Armed groups and movements that negotiate with governments (usual short names).
    "MILF": ("armed_group", ("Moro Islamic Liberation Front",)),
    "NDFP": (
        "armed_group",
        ("NDF", "National Democratic Front of the Philippines", "National Democratic Front"),
    ),
    "New People's Army": ("armed_group", ("NPA",)),
    "BRN": (
        "armed_group",
        ("Barisan Revolusi Nasional", "Barisan Revolusi Nasional Melayu Patani"),
    ),
    "Arakan Army": ("armed_group", ()),
    "Kachin Independence Army": ("armed_group", ("KIA", "Kachin Independence Organisation", "KIO")),
    "Karen National Union": ("armed_group", ("KNU",)),
    "TNLA": ("armed_group", ("Ta'ang National Liberation Army",)),
    "MNDAA": ("armed_group", ("Myanmar National Democratic Alliance Army",)),
    "FACT": ("armed_group", ("Front for Change and Concord in Chad",)),
    "SPLM-IO": (
        "armed_group",
        (
            "SPLA-IO",
            "SPLM/A-IO",
            "Sudan People's Liberation Movement-in-Opposition",
            "Sudan People's Liberation Movement in Opposition",
        ),
    ),
    "SPLM-N": ("armed_group", ("Sudan People's Liberation Movement-North",)),
    "Sudan Liberation Movement": ("armed_group", ("SLM", "SLM/A")),
    "Justice and Equality Movement": ("armed_group", ("JEM",)),
    "OLA": ("armed_group", ("Oromo Liberation Army",)),
    "Oromo Liberation Front": ("armed_group", ("OLF",)),
    "FLA": ("armed_group", ("Azawad Liberation Front", "Front de Libération de l'Azawad")),
    "CSP-DPA": ("armed_group", ("Strategic Framework for the Defence of the People of Azawad",)),
    "JNIM": ("armed_group", ("Jama'at Nusrat al-Islam wal-Muslimin",)),
    "Boko Haram": ("armed_group", ()),
    "ADF": ("armed_group", ("Allied Democratic Forces",)),
    "FDLR": ("armed_group", ("Democratic Forces for the Liberation of Rwanda",)),
    "CODECO": ("armed_group", ()),
    "MFDC": ("armed_group", ("Movement of Democratic Forces of Casamance",)),
    "Fano": ("armed_group", ()),
    "PMF": ("armed_group", ("Popular Mobilization Forces", "Popular Mobilisation Forces")),
    "Kataib Hezbollah": ("armed_group", ("Kata'ib Hezbollah",)),
    "LTTE": ("armed_group", ("Liberation Tigers of Tamil Eelam", "Tamil Tigers")),
    "NSCN-IM": ("armed_group", ("National Socialist Council of Nagaland",)),
    "ULFA": ("armed_group", ("United Liberation Front of Asom",)),
    "Abu Sayyaf": ("armed_group", ()),
    "EMC": ("armed_group", ("Estado Mayor Central",)),
    "Segunda Marquetalia": ("armed_group", ()),
    "Clan del Golfo": ("armed_group", ("Gulf Clan",)),
}

#: Armed groups that are a state's de facto government, by the state they govern: an article
#: that names one as a government ("the Taliban administration", "the Taliban-led government")
#: means that state by it (:func:`diplosum.normalise.governments`).
GOVERNING_GROUPS: Final[dict[str, str]] = {"Taliban": "Afghanistan"}
#: The words after such a group's name that make it the government.
GOVERNMENT_WORDS: Final[tuple[str, ...]] = (
    "administration",
    "authorities",
    "cabinet",
    "government",
    "regime",
    "rulers",
)

# Words a proper name carries in lower case ("National Democratic Front of the Philippines").
NAME_SMALL_WORDS: Final[tuple[str, ...]] = (
    "of", "the", "for", "and", "in", "on", "de", "du", "des", "la", "le", "el", "al", "y", "da",
    "do", "dos", "das",
)  # fmt: skip

# States outside ISO 3166-1 (geonames' user-assigned code -> name); they get no ISO code.
# Beside Kosovo, the de facto states that talks are held with as sides of their own ("the
# breakaway region of Transnistria"); their codes here are this table's own, never shown.
NON_ISO_STATES: Final[dict[str, str]] = {
    "XKX": "Kosovo",
    "XTR": "Transnistria",
    "XAB": "Abkhazia",
    "XSO": "South Ossetia",
    "XSL": "Somaliland",
    "XNC": "Northern Cyprus",
}

#: Seas, gulfs and other features whose names hold an actor's name or demonym: "on the Indian
#: Ocean shore" mentions no India, "the South China Sea" no China.
GEOGRAPHIC_FEATURES: Final[tuple[str, ...]] = (
    "Indian Ocean",
    "South China Sea",
    "East China Sea",
    "Arabian Sea",
    "Arabian Peninsula",
    "Persian Gulf",
    "Arabian Gulf",
    "Korean Peninsula",
    "Sea of Japan",
    "Gulf of Mexico",
    "Gulf of Oman",
    "Gulf of Thailand",
    "Gulf of Guinea",
    "Gulf of Aden",
    "Sea of Azov",
    "Sinai Peninsula",
    "Iberian Peninsula",
    "Balkan Peninsula",
    "Mexican Gulf",
    "Bay of Bengal",
)

# The head nouns by which an article names an organisation again after its full name: "the
# League" (Arab League, League of Arab States), "the Union" (African Union), "the Community"
# (Economic Community of West African States).
HEAD_NOUNS: Final[frozenset[str]] = frozenset(
    {
        "league", "union", "community", "organisation", "organization", "council",
        "commission", "alliance", "authority", "conference", "forum", "association",
    }
)  # fmt: skip

# States an article may call by their form of government alone ("the sultanate's foreign
# ministry" once it has named Oman): read so only when the article names one such state.
STATE_FORMS: Final[dict[str, frozenset[str]]] = {
    "sultanate": frozenset({"OMN", "BRN"}),
    "emirate": frozenset({"QAT", "KWT"}),
    "kingdom": frozenset(
        {
            "SAU", "JOR", "MAR", "BHR", "GBR", "ESP", "NOR", "SWE", "DNK", "NLD", "BEL",
            "THA", "KHM", "LSO", "SWZ", "BTN", "TON",
        }
    ),
}  # fmt: skip

# The states an ambiguous short name may mean: read as one of them only when the article names
# exactly one of them some other way ("Congo" beside "Democratic Republic of the Congo" or
# "Kinshasa", and no "Brazzaville").
AMBIGUOUS_STATES: Final[dict[str, tuple[str, ...]]] = {
    "Congo": ("COD", "COG"),
    "Congolese": ("COD", "COG"),
    "Korea": ("KOR", "PRK"),
    "Korean": ("KOR", "PRK"),
    "Koreans": ("KOR", "PRK"),
    "Dominican": ("DOM", "DMA"),
}

# Mentions that name more than one possible actor: never guessed.
AMBIGUOUS: Final[frozenset[str]] = frozenset(
    {
        "Congo",
        "Congolese",
        "Korea",
        "Korean",
        "Koreans",
        "Dominican",
        "Macedonia",
        "Macedonian",
        "Brussels",
        "Jerusalem",
        "East Jerusalem",
        "Malé",  # capitals that are also English words
        "The Valley",
    }
)

# Words that may follow a state's or group's *name* in a phrase that still means that actor
# ("US officials", "Hamas delegation"). After a demonym or a possessive any words may follow.
# Words for a territory before "of" and its name: "the breakaway region of Transnistria".
TERRITORY_WORDS: Final[frozenset[str]] = frozenset(
    {"breakaway", "separatist", "self", "declared", "proclaimed", "region", "republic"}
)

ROLE_WORDS: Final[frozenset[str]] = frozenset(
    [
        "administration",
        "ambassador",
        "ambassadors",
        "army",
        "authorities",
        "authority",
        "bureau",
        "cabinet",
        "chair",
        "chairman",
        "chairperson",
        "chairwoman",
        "chancellor",
        "chief",
        "command",
        "commander",
        "counterpart",
        "counterparts",
        "crown",
        "defence",
        "defense",
        "delegates",
        "delegation",
        "delegations",
        "deputy",
        "diplomat",
        "diplomats",
        "embassy",
        "emir",
        "envoy",
        "envoys",
        "fighters",
        "foreign",
        "forces",
        "government",
        "head",
        "intelligence",
        "interior",
        "king",
        "leader",
        "leaders",
        "leadership",
        "mediation",
        "mediator",
        "mediators",
        "military",
        "minister",
        "ministers",
        "ministry",
        "mission",
        "movement",
        "national",
        "negotiating",
        "negotiator",
        "negotiators",
        "officer",
        "officers",
        "official",
        "officials",
        "parliament",
        "peace",
        "political",
        "premier",
        "president",
        "presidency",
        "prime",
        "representative",
        "representatives",
        "rebels",
        "secretary",
        "secretary-general",
        "security",
        "side",
        "sources",
        "special",
        "spokesman",
        "spokesperson",
        "spokeswoman",
        "state",
        "sultan",
        "team",
        "top",
        "troops",
        "vice",
    ]
)

# Words after a state's name or demonym that show the phrase names another actor
# ("Syrian opposition", "Venezuelan rebels", "Turkish Cypriot side").
NON_STATE_WORDS: Final[frozenset[str]] = frozenset(
    [
        "opposition",
        "rebels",
        "rebel",
        "insurgents",
        "insurgent",
        "militants",
        "militant",
        "militia",
        "militias",
        "separatists",
        "separatist",
        "dissidents",
        "dissident",
        "exiles",
        "factions",
        "faction",
        "kurdish",
        "kurds",
        "tribes",
        "tribal",
        "clans",
        "civil",
        "society",
        "activists",
        "protesters",
        "diaspora",
        "refugees",
        "journalists",
        "media",
        "press",
        "company",
        "companies",
        "firms",
        "businessmen",
        "islamists",
        "jihadists",
        "paramilitary",
        "paramilitaries",
        "minority",
        "community",
        "communities",
        "ngo",
        "ngos",
        "church",
    ]
)

# Words that start a site rather than a city ("Dolmabahçe Palace", "Hyderabad House").
SITE_WORDS: Final[frozenset[str]] = frozenset(
    [
        "palace",
        "house",
        "hotel",
        "resort",
        "hall",
        "centre",
        "center",
        "building",
        "ministry",
        "embassy",
        "castle",
        "villa",
        "base",
        "camp",
        "airport",
        "complex",
        "residence",
        "mansion",
        "chateau",
        "château",
        "estate",
        "compound",
    ]
)

# Status of the talks -> the direction in which their bare dates resolve.
STATUS_DIRECTIONS: Final[dict[str, str]] = {
    "proposed": "forward",
    "agreed": "forward",
    "scheduled": "forward",
    "planned": "forward",
    "upcoming": "forward",
    "held": "backward",
    "ongoing": "backward",
    "concluded": "backward",
    "completed": "backward",
}

MONTHS: Final[dict[str, int]] = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}

WEEKDAYS: Final[dict[str, int]] = {
    name: number
    for number, names in enumerate(
        (
            ("monday", "mon"),
            ("tuesday", "tue", "tues"),
            ("wednesday", "wed"),
            ("thursday", "thu", "thur", "thurs"),
            ("friday", "fri"),
            ("saturday", "sat"),
            ("sunday", "sun"),
        )
    )
    for name in names
}

# Date phrases: rewrites applied in order before parsing (times and ordinals go).
CLEANUPS: Final[tuple[tuple[str, str], ...]] = (
    (r"[\u2010-\u2015\u2212]", "-"),
    (r"\b(?:this (?:morning|afternoon|evening)|tonight|(?:earlier|later) today)\b", "today"),
    (r"\blast night\b", "yesterday"),
    (r"\b(\d{1,2})(?:st|nd|rd|th)\b", r"\1"),
    (r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b", r"\1/\2/\3"),
    (r"\b(?:at\s+)?\d{1,2}(?::\d{2})?\s*[ap]\.?m\b\.?|\b(?:at\s+)?\d{1,2}:\d{2}\b", " "),
    (r"\b(?:gmt|utc|local time|noon|midday|midnight|morning|afternoon|evening|night)\b", " "),
    (r"'s\b|'", ""),
    (r"\bmid-", "mid "),
    (r"[,.;:()\[\]\"!?]", " "),
)
DROPPED: Final = frozenset(["the", "of", "on", "at", "by", "around", "about", "circa", "sometime"])
LEADING: Final = frozenset(["in", "from", "for", "during", "between"])  # only at the start
PARTS: Final = frozenset(
    ["early", "mid", "late", "end", "beginning", "start", "middle", "later", "earlier"]
)
RELATIVE_DAYS: Final[dict[str, int]] = {
    "today": 0,
    "now": 0,
    "tomorrow": 1,
    "yesterday": -1,
    "day after tomorrow": 2,
    "day before yesterday": -2,
}
STEPS: Final[dict[str, int]] = {"next": 1, "coming": 1, "last": -1, "past": -1, "previous": -1}

NUMBER_WORDS: Final[dict[str, int]] = {
    word: number
    for number, word in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
        ]
    )
} | {"a": 1, "an": 1}
