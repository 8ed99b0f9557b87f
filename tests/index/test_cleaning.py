import pytest

from index import cleaning


@pytest.mark.parametrize(
    ("written", "cased"),
    [
        ("MONTPELLIER", "Montpellier"),
        ("SAINT-GAUDENS", "Saint-Gaudens"),
        ("villefranche de rouergue", "Villefranche de Rouergue"),
        ("ST GAUDENS", "St Gaudens"),
        ("L'ISLE-JOURDAIN", "L'Isle-Jourdain"),
        ("CASTELNAU-D'ESTRETEFONDS", "Castelnau-d'Estretefonds"),
        ("LA SALVETAT-SUR-AGOUT", "La Salvetat-sur-Agout"),
        ("Villefranche-de-Rouergue", "Villefranche-de-Rouergue"),  # mixed case kept
        ("Luz Saint Sauveur", "Luz Saint Sauveur"),
        ("  NÎMES ", "Nîmes"),
        ("", ""),
    ],
)
def test_city_case(written, cased):
    assert cleaning.city_case(written) == cased


@pytest.mark.parametrize(
    ("value", "expected"),
    [("31000", "31000"), (" 32150 ", "32150"), ("9000", "09000"), ("", ""), ("310", None), ("abcde", None)],
)
def test_postcode(value, expected):
    assert cleaning.postcode(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("31", "31"),
        ("9", "09"),
        ("=31=", "31"),
        ("2a", "2A"),
        ("971", "971"),
        ("", ""),
        ("==", ""),
        ("x", None),
    ],
)
def test_departement(value, expected):
    assert cleaning.departement(value) == expected


def test_insee_is_zero_padded():
    assert cleaning.insee("9122") == "09122"
    assert cleaning.insee("2A004") == "2A004"
    assert cleaning.insee("123") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("04 68 76 33 02", "04 68 76 33 02"),
        ("04.68.11.95.58", "04 68 11 95 58"),
        ("04-99-58-3000", "04 99 58 30 00"),
        ("+33 5 61 00 00 01", "05 61 00 00 01"),
        ("+33 (0)5 61 00 00 01", "05 61 00 00 01"),
        ("0033561000001", "05 61 00 00 01"),
        ("468747330", "04 68 74 73 30"),
        ("0954 882 757", "09 54 88 27 57"),
        ("04 68 47 22 71 / 04 68 25 80 32", "04 68 47 22 71"),
        ("05 31 48 50 99 06 27 20 24 70", "05 31 48 50 99"),
        ("06 76 08 88 39 ou 06 01 22 32 91", "06 76 08 88 39"),
        ("3646 (numéro payant)", "3646"),
        ("Contact demandeur d'emploi : 3949", "3949"),
        ("", ""),
        ("04 68 23 67", None),
        ("06 07 10 79 7", None),
        ("12", None),
    ],
)
def test_phone(value, expected):
    assert cleaning.phone(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Contact@Example.ORG", "contact@example.org"),
        (" msap-rabastens@adour-madiran.fr", "msap-rabastens@adour-madiran.fr"),
        ("clshp@ccpst.org carmi@ccpst.org", "clshp@ccpst.org"),
        ("Contact entreprise : entreprise.sete@pole-emploi.net", "entreprise.sete@pole-emploi.net"),
        ("", ""),
        ("contact@ifiipfr", None),
        ("via le compte ameli", None),
        ("05 62 63 45 77", None),
    ],
)
def test_email(value, expected):
    assert cleaning.email(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("www.x.fr", "https://www.x.fr"),
        ("http://www.foyerruralclarac.org/accueil.html", "http://www.foyerruralclarac.org/accueil.html"),
        (
            " https://www.cohesion-territoires.gouv.fr/france-services",
            "https://www.cohesion-territoires.gouv.fr/france-services",
        ),
        ("www.csfmirailblf.wixsite.com/csfmirail", "https://www.csfmirailblf.wixsite.com/csfmirail"),
        ("", ""),
        ("msap.gestes@orange.fr", None),
        ("pas de site", None),
    ],
)
def test_website(value, expected):
    assert cleaning.website(value) == expected


def test_split_codes_deduplicates_in_order_and_lists_unknown_ones():
    assert cleaning.split_codes(["J-J-J", "TP-J"], {"J", "TP"}) == (("J", "TP"), ())
    assert cleaning.split_codes([" ordm -XYZ"], {"ORDM"}) == (("ORDM",), ("XYZ",))
    assert cleaning.split_codes(["Étranger S"], {"ETR", "SEN"}, {"ETRANGER": "ETR", "S": "SEN"}, r"\s+") == (
        ("ETR", "SEN"),
        (),
    )


def test_strip_html():
    assert cleaning.strip_html("<p>a<br>b &amp; c</p>") == "a b & c"
    assert cleaning.strip_html("oui <26 ans") == "oui <26 ans"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Decembre 2018", "2018-12-01"),
        ("Octobre 2020", "2020-10-01"),
        ("Février 2021", "2021-02-01"),
        ("juil-22", "2022-07-01"),
        ("12/03/2021", "2021-03-12"),
        ("2021-03-12", "2021-03-12"),
        ("31/02/2021", ""),
        ("bientôt", ""),
        ("", ""),
    ],
)
def test_iso_date(value, expected):
    assert cleaning.iso_date(value) == expected


def test_number_reads_decimal_commas():
    assert cleaning.number("43,6") == 43.6
    assert cleaning.number("nan") is None
    assert cleaning.number("") is None
