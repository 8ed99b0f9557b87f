"""One place, one card: duplicate rows merge when an index version is built."""

from __future__ import annotations

from index.duplicates import merge_duplicates
from index.facets import derive
from index.places import Address, Contact, Place
from index.report.rows import duplicates
from index.sources import read_source
from tests.support.homes import REAL_CSV, REAL_PLACES


def place(pid: str, name: str, street: str = "38 Avenue Jean Moulin", phone: str = "05 34 31 94 42",
          **changes) -> Place:
    return Place(id=pid, name=name, address=Address(street=street, postcode="31400", commune="Toulouse"),
                 contact=Contact(phone=phone), **changes)


def test_same_address_and_phone_merge_naming_both():
    merged = merge_duplicates([place("a", "Centre social Jean Moulin", services=("ORD",)),
                               place("b", "Empalot (CAF)", phone="0534319442", services=("ACCDS",)),
                               place("c", "Autre lieu", street="1 rue Autre")])
    assert [p.id for p in merged] == ["a", "c"]
    assert merged[0].merged_ids == ("b",) and merged[1].merged_ids == ()
    assert merged[0].name == "Centre social Jean Moulin / Empalot (CAF)"
    assert merged[0].services == ("ORD", "ACCDS")


def test_same_name_and_address_merge_even_without_a_phone():
    merged = merge_duplicates([place("a", "Médiathèque", phone=""), place("b", "MÉDIATHÈQUE", phone="")])
    assert len(merged) == 1


def test_same_address_with_other_names_and_phones_stay_apart():
    assert len(merge_duplicates([place("a", "MJC"), place("b", "Centre social", phone="05 00 00 00 00")])) == 2


def test_the_report_flags_the_rows_the_build_merges_for_their_address_and_phone():
    """One phone written two ways (« +33 5… », « 05… ») at one address: one place when served, and
    two rows the maintainers' report calls possible duplicates."""
    rows = [place("a", "Centre social Jean Moulin", phone="+33 5 34 31 94 42"), place("b", "Empalot (CAF)")]
    assert len(merge_duplicates(rows)) == 1
    assert duplicates([derive(i, p) for i, p in enumerate(rows)]) == {
        "a": ["même adresse et téléphone que b"], "b": ["même adresse et téléphone que a"]}


def test_the_real_directory_loses_only_duplicates():
    places = read_source(str(REAL_CSV)).places
    merged = merge_duplicates(places)
    assert len(merged) == REAL_PLACES < len(places)
    assert len({p.id for p in merged}) == len(merged)
    # Every row is one place's own id or one of its merged rows', once.
    assert sorted(i for p in merged for i in (p.id, *p.merged_ids)) == sorted(p.id for p in places)
    jean_moulin = [p for p in merged if "Jean Moulin" in p.name and p.address.postcode == "31400"]
    assert len(jean_moulin) == 1 and " / " in jean_moulin[0].name


def test_the_place_keeps_the_ids_of_every_row_it_stands_for():
    """Three rows of one place: the one that says most lends its id, the others' are kept."""
    merged = merge_duplicates([place("a", "Centre social", services=("ORD",)),
                               place("b", "France Services Empalot", labels=("FS",)),
                               place("c", "France Services Empalot", phone="05 00 00 00 00")])
    assert [p.id for p in merged] == ["b"] and sorted(merged[0].merged_ids) == ["a", "c"]


def test_a_france_services_row_lends_its_id_over_a_scheme_it_takes_part_in():
    """GRABELS: the LAM row (APTIC) comes first in the file, the place is found as the France Services desk."""
    merged = merge_duplicates([place("lam", "Lieux d'Accès Multimédia de GRABELS", labels=("APTIC",)),
                               place("fs", "France Services GRABELS", labels=("MFS",))])
    assert [(p.id, p.merged_ids) for p in merged] == [("fs", ("lam",))]
    assert merged[0].name == "France Services GRABELS / Lieux d'Accès Multimédia de GRABELS"


def test_names_that_differ_only_by_case_are_said_once():
    merged = merge_duplicates([place("a", "Centre social Nelson MANDELA"), place("b", "Centre Social Nelson Mandela")])
    assert [p.name for p in merged] == ["Centre social Nelson MANDELA"]


def test_wifi_any_row_offers_is_the_places():
    """« Info Jeunes » lends its id to the merged place; the BIJ row beside it says « wifi : oui »."""
    merged = merge_duplicates([place("a", "Info Jeunes", labels=("MFS",)), place("b", "BIJ", wifi=True, wifi_text="oui")])
    assert merged[0].id == "a" and merged[0].wifi is True and merged[0].wifi_text == "oui"
    no = merge_duplicates([place("a", "MJC", wifi=False), place("b", "MJC bis")])
    assert no[0].wifi is False
