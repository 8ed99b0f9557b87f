"""Messages as social workers and front-desk staff really send them, through ``Conversation.handle``
(the path both front ends use): long sentences, whose place, local names, shared positions,
misspellings, audiences, small talk and needs or places out of scope. Phrasings are our own."""

from __future__ import annotations

import pytest

from index.conversation.followup import small_talk
from index.normalise import fold
from index.spatial import haversine_km
from index.vocabulary import SMALL_TALK

CASTRES = (43.6060, 2.2400)
PORTET = (43.5236, 1.4061)  # Portet-sur-Garonne's town hall


def communes(reply) -> set[str]:
    return {card.commune for card in reply.cards}


# -- whose place -------------------------------------------------------------------------

def test_the_persons_town_wins_over_the_askers_workplace(conversation):
    reply = conversation.handle("w1", "Bonsoir, je travaille à la MDS de Tarbes ; la dame que je suis habite "
                                      "à Lourdes et doit déclarer ses impôts en ligne, vous avez quelque chose ?")
    assert reply.cards and reply.cards[0].commune == "Lourdes"
    assert reply.understood.endswith("Lourdes") and "Tarbes" not in reply.understood


def test_the_askers_workplace_alone_sends_no_one_far_away(conversation):
    reply = conversation.handle("w2", "Bonjour, je suis AS au CCAS de Castres, je cherche un lieu où une dame de "
                                      "80 ans pourrait être aidée pour sa demande de retraite en ligne")
    assert reply.cards
    first = reply.cards[0]
    assert haversine_km(*CASTRES, first.lat, first.lon) < 30


def test_alternatives_said_with_ou_are_both_kept(conversation):
    reply = conversation.handle("w3", "Une maman voudrait faire sa demande de bourse en ligne, plutôt sur Sète ou à "
                                      "Frontignan si c'est plus simple pour elle.")
    assert "Sète ou Frontignan" in reply.understood


# -- long messages, ordinary words ---------------------------------------------------------

def test_a_place_named_once_at_the_end_of_a_long_message_is_found(conversation):
    filler = "il a reçu plusieurs courriers, il ne sait pas ouvrir ses mails, son fils vit loin " * 3
    text = f"Bonjour, un monsieur âgé que nous suivons doit faire sa demande de retraite ; {filler}du côté de Mazamet ?"
    assert len(text.split()) > 40
    reply = conversation.handle("l1", text)
    assert "Mazamet" in reply.understood


def test_ordinary_words_of_a_sentence_are_not_read_as_communes(conversation):
    reply = conversation.handle("l2", "Mon neveu a un vieux portable qui rame, il cherche de l'aide pour ses démarches "
                                      "en ligne à Albi, il habite dans une petite rue près de la cathédrale")
    assert reply.understood.endswith("Albi")
    assert reply.cards and communes(reply) == {"Albi"}


def test_a_commune_in_a_street_name_is_not_where_the_person_goes(conversation):
    """« avenue de Toulouse », « rue des Lilas »: an address names streets after other towns."""
    reply = conversation.handle("l3", "Bonjour, la dame habite 3 avenue de Toulouse à Albi, elle doit faire sa "
                                      "déclaration CAF en ligne")
    assert reply.understood.endswith("Albi") and "Toulouse" not in reply.understood
    assert reply.cards and communes(reply) == {"Albi"}
    reply = conversation.handle("l4", "un monsieur au 12 rue des Lilas à Auch voudrait un atelier informatique")
    assert reply.kind != "outside" and reply.understood.endswith("Auch")


def test_a_short_name_is_the_served_commune_not_a_homonym_far_away(conversation):
    """« Portet » is a village of the Pyrénées-Atlantiques too, and « le Port » a city of La Réunion:
    to a directory of Occitanie, it is Portet-sur-Garonne."""
    for n, text in enumerate(("atelier informatique portet", "mon fils habite à Portet, il cherche un ordi")):
        reply = conversation.handle(f"l5{n}", text)
        assert reply.understood.endswith("Portet-sur-Garonne"), text
        assert reply.cards and all(haversine_km(*PORTET, c.lat, c.lon) < 20 for c in reply.cards), text


@pytest.mark.parametrize("words", ["une adresse mail", "un email", "son courriel", "sa boîte mail", "une visio"])
def test_email_and_video_calls_are_asked_as_individual_digital_help(conversation, words):
    reply = conversation.handle(f"m-{words}", f"un monsieur hébergé à Nîmes voudrait de l'aide pour {words}")
    query, _ = conversation.position(f"m-{words}")
    assert any("ACCN" in c.codes for c in query.concepts), reply.understood
    assert reply.cards and communes(reply) == {"Nîmes"}


# -- a shared position ------------------------------------------------------------------

def test_a_shared_position_with_no_place_word_searches_around_it(conversation):
    position = (43.6045, 1.4440)
    for n, text in enumerate(("un fablab à côté ?", "aide papiers caf près d'ici", "y a quoi dans le coin")):
        reply = conversation.handle(f"p{n}", text, location=position)
        assert reply.cards and reply.kind == "results", text
        assert all(haversine_km(*position, c.lat, c.lon) < 10 for c in reply.cards), text


# -- names people use ---------------------------------------------------------------------

def test_short_glued_and_numbered_names_are_understood(conversation):
    assert conversation.handle("n1", "besoin d'un ordi à stgirons").understood.endswith("Saint-Girons")
    assert conversation.handle("n2", "ateliers sur Lézignan svp").understood.endswith("Lézignan-Corbières")
    assert conversation.handle("n3", "France Services dans le 09").understood.endswith("Ariège (09)")
    assert conversation.handle("n4", "Bagnères (65) wifi").understood.endswith("Bagnères-de-Bigorre")


def test_neighbourhoods_and_the_station_of_the_town_just_searched_are_places(conversation):
    reply = conversation.handle("n5", "aide pour la CAF à la Paillade")
    assert reply.understood.endswith("La Paillade (Montpellier)")
    assert reply.cards and all(haversine_km(43.632, 3.818, c.lat, c.lon) < 3 for c in reply.cards)
    conversation.handle("n6", "atelier informatique Toulouse")
    reply = conversation.handle("n6", "plutôt près de la gare")
    assert reply.understood == "atelier informatique · Toulouse Matabiau"
    assert reply.cards and all(haversine_km(43.6112, 1.4536, c.lat, c.lon) < 3 for c in reply.cards)


def test_names_people_use_from_the_names_data(conversation):
    assert conversation.handle("n7", "un fablab sur Tlse").understood.endswith("Toulouse")
    assert conversation.handle("n8", "france services dans les PO").understood.endswith("Pyrénées-Orientales (66)")
    assert conversation.handle("n9", "ordi en libre accès à Carca").understood.endswith("Carcassonne")


# -- misspellings -----------------------------------------------------------------------

def test_phonetic_misspellings_of_communes_and_needs_are_understood(conversation):
    assert conversation.handle("t1", "aide caf a bezié").understood.endswith("Béziers")
    assert conversation.handle("t2", "ordi narbone").understood.endswith("Narbonne")
    reply = conversation.handle("t3", "repar ordi perpigna")
    assert reply.understood.endswith("Perpignan") and "répar" in reply.understood.lower()
    reply = conversation.handle("t4", "la msap de figeac")
    assert reply.cards and all("France Services" in c.labels for c in reply.cards)


def test_an_unsure_reading_is_asked_back_and_oui_takes_it(conversation):
    reply = conversation.handle("t5", "un atelier a limous")
    assert reply.kind == "did_you_mean" and "Limoux" in reply.text and not reply.cards
    reply = conversation.handle("t5", "oui")
    assert reply.kind == "results" and communes(reply) & {"Limoux"}


def test_no_after_a_question_back_asks_for_the_commune_again(conversation):
    conversation.handle("t6", "un atelier a limous")
    reply = conversation.handle("t6", "non")
    assert reply.kind == "small_talk" and "autrement" in reply.text


# -- postcodes ------------------------------------------------------------------------

def test_a_postcode_of_a_city_with_several_gives_its_own_places_first(conversation):
    reply = conversation.handle("z1", "ordinateur 31200")
    assert reply.cards and all(c.address.split(",")[-1].strip().startswith("31200") for c in reply.cards)


# -- constraint strengths ---------------------------------------------------------------

def test_an_audience_ranks_but_does_not_filter_out_the_places_open_to_all(conversation):
    reply = conversation.handle("a1", "pour un jeune de 19 ans qui cherche du travail à Montpellier, "
                                      "de l'aide pour ses démarches en ligne")
    assert reply.cards and reply.cards[0].commune == "Montpellier"
    assert any("Demandeurs d'emploi" in c.publics for c in reply.cards)  # Pôle emploi is not dropped
    assert all(haversine_km(43.6108, 3.8767, c.lat, c.lon) < 15 for c in reply.cards)


def test_audiences_said_together_are_one_need_any_of_them_enough(conversation):
    reply = conversation.handle("a3", "mon fils de 20 ans est au chômage, il lui faut de l'aide à Nîmes")
    assert reply.cards and {"Jeunes", "Demandeurs d'emploi"} & set(reply.cards[0].publics)


def test_an_audience_alone_asks_for_help_not_for_a_coworking_space(conversation):
    reply = conversation.handle("a4", "handicap visuel toulouse")
    assert reply.cards and all(c.services != ("Espace de co-working",) for c in reply.cards)


def test_a_youth_only_place_does_not_come_first_for_an_adults_question(conversation):
    reply = conversation.handle("a2", "une dame de 45 ans doit faire sa déclaration CAF à Carcassonne")
    first = reply.cards[0]
    assert "Jeunes" not in first.publics or "Tout public" in first.publics


# -- small talk, out of scope ------------------------------------------------------------

def test_small_talk_gets_a_short_answer_and_leaves_the_search_as_it_was(conversation):
    first = conversation.handle("s1", "atelier informatique gers")
    for text in ("merci !", "ok", "bonjour", "oui", "Bonne journée à vous"):
        reply = conversation.handle("s1", text)
        assert reply.kind == "small_talk" and not reply.cards, text
    more = conversation.handle("s1", "plus")
    assert more.cards and not {c.id for c in more.cards} & {c.id for c in first.cards}


@pytest.mark.parametrize(("kind", "phrase"), [(k, p) for k, ps in SMALL_TALK.items() for p in ps])
def test_every_small_talk_phrase_asks_nothing(kind, phrase):
    assert small_talk(f"{phrase} !") == kind
    assert small_talk(f"{phrase} atelier informatique") == ""


def test_oui_after_a_shared_position_does_not_search_again(conversation):
    conversation.handle("s2", location=(43.6045, 1.4440))
    reply = conversation.handle("s2", "oui")
    assert reply.kind == "small_talk" and not reply.cards


def test_a_need_the_directory_does_not_cover_is_said_so(conversation):
    for text in ("une piscine municipale à Toulouse", "un colis alimentaire sur Narbonne"):
        reply = conversation.handle("o1", text)
        assert reply.kind == "out_of_scope" and not reply.cards, text
        assert "aide au numérique" in reply.text


def test_a_place_outside_the_directory_is_said_so_naming_what_it_covers(conversation):
    reply = conversation.handle("o2", "atelier informatique à Lille")
    assert reply.kind == "outside" and not reply.cards
    assert "Lille" in reply.text and "Haute-Garonne (31)" in reply.text
    reply = conversation.handle("o3", "atelier informatique", location=(48.8566, 2.3522))  # Paris
    assert reply.kind == "outside" and reply.text.startswith("Votre position est en dehors")


# -- what is said -----------------------------------------------------------------------

def test_understood_states_no_leftover_words_and_why_only_what_the_data_says(conversation):
    reply = conversation.handle("u1", "Bonjour, je suis conseillère au CCAS, une dame doit scanner ses papiers "
                                      "pour sa mutuelle, elle habite Auch")
    words = set(fold(reply.understood).split())
    assert not words & {"suis", "conseillere", "ccas", "dame", "mutuelle", "habite"}
    assert reply.cards and all("scanner" not in " ".join(c.why).lower() for c in reply.cards)


LIMOUX = (43.0546, 2.2186)


def test_an_everyday_word_that_sounds_like_a_town_does_not_replace_the_shared_position(conversation):
    reply = conversation.handle("w-aller", "on part en congés, il y a un coin pour aller sur internet vers ici ?",
                                location=LIMOUX)
    assert reply.cards and "Alès" not in reply.understood
    assert all(haversine_km(*LIMOUX, card.lat, card.lon) < 40 for card in reply.cards)


def test_a_town_written_as_it_sounds_is_the_town_with_places(conversation):
    reply = conversation.handle("w-mande", "ma voisine vit sur mande et voudrait un atelier pour sa tablette")
    assert reply.cards and {card.commune for card in reply.cards[:1]} == {"Mende"}


def test_a_far_misspelling_with_no_cue_does_not_replace_the_shared_position(conversation):
    reply = conversation.handle("w-far", "ordi libre narbone", location=LIMOUX)
    assert reply.cards and "Narbonne" not in reply.understood
    assert haversine_km(*LIMOUX, reply.cards[0].lat, reply.cards[0].lon) < 30


def test_a_far_place_said_as_a_place_still_replaces_the_shared_position(conversation):
    assert "Narbonne" in conversation.handle("w-far2", "ordi libre à narbone", location=LIMOUX).understood
    reply = conversation.handle("w-far3", "Je suis à Auch mais elle habite Condom, un atelier pour elle ?",
                                location=LIMOUX)
    assert reply.understood.endswith("Condom") and reply.cards[0].commune == "Condom"


def test_a_town_split_in_two_and_misspelt_is_asked_back_then_searched(conversation):
    reply = conversation.handle("w-split", "espace numérique mone pelier")
    assert reply.kind == "did_you_mean" and "Montpellier" in reply.text
    reply = conversation.handle("w-split", "oui")
    assert reply.cards and reply.cards[0].commune == "Montpellier"


def test_a_town_split_in_two_in_a_sentence_is_the_persons_town(conversation):
    reply = conversation.handle("w-split2", "Bonjour, mon frère habite ville franche de rouergue et voudrait "
                                            "qu'on l'aide pour sa déclaration d'impôts en ligne")
    assert reply.understood.endswith("Villefranche-de-Rouergue") and reply.cards


def test_the_stateless_search_does_not_repeat_a_name_typed(conversation):
    """The web API's and inline mode's search read a message as the conversation does."""
    reply = conversation.search("madame Quervillac atelier informatique auch")
    assert "quervillac" not in (reply.text + reply.understood).lower()
    assert reply.understood.endswith("Auch") and reply.cards
