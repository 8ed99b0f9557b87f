"""The conversation: follow-ups, paging, locations and French replies, channel-free."""

from __future__ import annotations

import pytest


def test_a_question_gets_three_cards_and_a_french_header(conversation):
    reply = conversation.handle("c1", "démarches caf narbonne")
    assert reply.kind == "results" and len(reply.cards) == 3 and reply.more
    assert reply.text == f"{reply.matching} lieux pour « démarches CAF » à Narbonne (1 à 3) :"
    assert all(card.commune == "Narbonne" for card in reply.cards)


def test_plus_pages_through_the_same_search_then_says_it_is_done(conversation):
    first = conversation.handle("c2", "ordinateur carcassonne")
    seen = [c.id for c in first.cards]
    while True:
        page = conversation.handle("c2", "plus")
        if page.kind in ("no_more", "beyond"):
            break
        assert not set(seen) & {c.id for c in page.cards}
        seen += [c.id for c in page.cards]
    assert len(seen) == first.total
    # Nothing left in the town: "plus" offers the nearest places beyond it, then says it is all.
    assert page.kind == "beyond" and page.text == "C'est tout à Carcassonne. Les plus proches au-delà :"
    assert page.cards and not set(seen) & {c.id for c in page.cards}
    assert all(c.commune != "Carcassonne" and c.distance_text.endswith("de Carcassonne") for c in page.cards)
    assert conversation.handle("c2", "plus").text.startswith("C'est tout pour cette recherche")


def test_follow_up_day_keeps_the_need_and_the_place(conversation):
    conversation.handle("c3", "atelier informatique toulouse")
    reply = conversation.handle("c3", "et le samedi ?")
    assert reply.understood == "atelier informatique · ouvert le samedi · Toulouse"
    assert reply.cards and all(card.commune == "Toulouse" for card in reply.cards)


def test_follow_up_place_replaces_the_place(conversation):
    conversation.handle("c4", "france services gers")
    reply = conversation.handle("c4", "et à Condom ?")
    assert reply.understood == "France Services · Condom"
    assert reply.cards and all(card.commune == "Condom" for card in reply.cards)


def test_follow_up_public_narrows_the_search(conversation):
    conversation.handle("c5", "aide demarches administratives aude")
    reply = conversation.handle("c5", "seulement pour les jeunes")
    assert "Jeunes" in " ".join(" ".join(c.publics) for c in reply.cards)
    assert "Aude (11)" in reply.understood


def test_location_then_text_searches_around_the_location(conversation):
    reply = conversation.handle("c6", location=(43.2328, 0.0781))
    assert reply.text.startswith("Merci, position reçue")
    assert all(card.distance_text.endswith("de vous") for card in reply.cards)
    reply = conversation.handle("c6", "wifi")
    assert reply.cards and all(card.wifi for card in reply.cards)
    assert all(card.distance_km < 10 for card in reply.cards)


def test_nothing_inside_says_so_and_offers_the_nearest(conversation):
    reply = conversation.handle("c7", "coworking tournefeuille")
    assert reply.kind == "widened"
    assert reply.text == "Rien à Tournefeuille pour « coworking » ; les plus proches :"
    assert all(card.distance_text.endswith("de Tournefeuille") for card in reply.cards)


def test_gibberish_and_emoji_get_a_polite_answer(conversation):
    for text in ("😀😀😀", "", "   ", "??!!"):
        reply = conversation.handle("c8", text)
        assert reply.kind == "not_understood" and "Je n'ai pas compris" in reply.text


def test_plus_without_a_question_asks_for_one(conversation):
    assert conversation.handle("c9", "plus").kind == "no_previous"


def test_stateless_search_pages_with_offset(conversation):
    first = conversation.search("atelier informatique gers", limit=5)
    second = conversation.search("atelier informatique gers", limit=5, offset=5)
    assert len(first.cards) == 5 and not {c.id for c in first.cards} & {c.id for c in second.cards}


def test_card_text_is_plain_and_complete(conversation):
    card = conversation.card("Ref_0457")
    text = card.text
    assert text.splitlines()[0] == card.name
    assert card.map_url in text and card.map_url.startswith("https://www.openstreetmap.org/")
    assert conversation.card("no-such-id") is None


def test_a_row_merged_into_a_place_opens_that_place_card(conversation):
    """Ref_0052 repeats Ref_0001 (same address and phone): a link to it, shared before the merge, still works."""
    merged = conversation.card("Ref_0052")
    assert merged is not None and merged.id == "Ref_0001" and merged.name == conversation.card("Ref_0001").name
    assert "Alzonne" in merged.name and " / " in merged.name


def test_each_card_says_where_its_data_comes_from_and_how_fresh(conversation):
    card = conversation.card("Ref_0001")  # "Decembre 2018", merged with its duplicate of "Decembre 2019"
    assert card.provenance == "Source : RhinOcc"  # the hub's name, never the file's
    assert card.freshness == "Informations de décembre 2019 : vérifier par téléphone"
    assert card.text.endswith(card.provenance)


def test_around_me_without_a_position_asks_for_it_then_answers_with_the_need(conversation):
    reply = conversation.handle("n1", "atelier informatique autour de moi")
    assert reply.kind == "ask_location" and "partagez votre position" in reply.text
    reply = conversation.handle("n1", location=(43.6045, 1.4440))
    assert reply.cards and all(card.distance_text.endswith("de vous") for card in reply.cards)
    assert reply.understood.startswith("atelier informatique · autour de vous")


def test_a_position_shared_after_a_question_searches_that_need_around_it(conversation):
    conversation.handle("n2", "wifi")
    reply = conversation.handle("n2", location=(43.2328, 0.0781))
    assert reply.cards and all(card.wifi for card in reply.cards)


def test_a_new_question_with_a_place_and_a_day_is_not_a_follow_up(conversation):
    conversation.handle("n3", "démarches CAF Narbonne")
    assert conversation.handle("n3", "ouvert le samedi à Tarbes").understood == "ouvert le samedi · Tarbes"


def test_more_said_in_other_words_pages_on(conversation):
    first = conversation.handle("n4", "atelier gers")
    for words in ("encore plus", "d'autres lieux ?", "plus svp"):
        page = conversation.handle("n4", words)
        assert page.kind == "results" and page.understood == first.understood


def test_a_pasted_page_is_answered_with_a_request_to_be_brief(conversation):
    assert conversation.handle("n5", "atelier " * 100).kind == "too_long"


def test_the_header_counts_only_places_that_meet_the_request_and_labels_the_rest(conversation):
    first = conversation.handle("h1", "ouvert le samedi à toulouse")
    assert first.text == f"{first.matching} lieux ouverts le samedi à Toulouse (1 à 3) :"
    pages, cards = [first], list(first.cards)
    while pages[-1].more:
        page = conversation.handle("h1", "plus")
        if page.kind == "beyond":
            break
        pages.append(page)
        cards += page.cards
    assert sum(c.matches for c in cards) == first.matching < len(cards)
    assert all(c.matches for c in cards[:first.matching]) and not any(c.matches for c in cards[first.matching:])
    for page in pages:  # the padded part is labelled on every page that shows it
        assert page.padded_label == "Autres lieux à Toulouse, horaires non précisés"
        assert page.text.startswith(f"{first.matching} lieux ouverts le samedi à Toulouse")


def test_nothing_confirmed_is_said_on_every_page(conversation):
    first = conversation.handle("h2", "personne âgée ouvert le samedi albi")
    second = conversation.handle("h2", "plus")
    assert first.text.startswith("Rien de confirmé à Albi")
    assert second.text == first.text and not any(c.matches for c in first.cards + second.cards)


@pytest.mark.parametrize(("question", "said"), [
    ("atelier ariège", "lieux pour « atelier » dans l'Ariège"),
    ("atelier gers", "lieux pour « atelier » dans le Gers"),
    ("atelier hautes pyrénées", "lieux pour « atelier » dans les Hautes-Pyrénées"),
])
def test_areas_are_said_with_their_article(conversation, question, said):
    assert said in conversation.handle("h3", question).text


def test_distances_from_a_departement_use_its_article():
    from index.conversation.replies import distance, of_area
    from index.understand import Area

    assert distance(40.04, of_area(Area("departement", "Ariège (09)", departements=("09",)))) == \
        "à 40 km de l'Ariège"
    assert distance(3.25, of_area(Area("commune", "Albi"))) == "à 3,2 km d'Albi"
    assert distance(0.85, "de vous") == "à 850 m de vous"


def test_card_restrictions_and_sms_text(conversation):
    cards = [conversation.card(p.place.id) for p in conversation.engine.store.entries]
    youth = [c for c in cards if "Réservé aux jeunes" in c.restrictions]
    assert youth and all(c.publics == ("Jeunes",) for c in youth)
    assert all(len(c.sms) <= 300 for c in cards)
    assert all(c.name[:20] in c.sms and (not c.phone or c.phone in c.sms) for c in cards)
