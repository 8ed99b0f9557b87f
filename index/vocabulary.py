"""Services, publics and labels: code, French label, and the everyday words for them.

Codes are RhinOcc's (the first directory), kept as the project's own table so that
other formats (the national standard) map onto them. ``words`` are folded phrases
(see ``index.normalise.fold``) that a user types for the concept; query
understanding matches them, typos included, and the index stores the labels.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    code: str
    label: str
    words: tuple[str, ...] = ()


COMPUTER_WORDS = ("ordinateur", "ordinateurs", "ordi", "ordis", "PC", "poste informatique", "libre service",
                  "accès libre", "libre accès", "imprimer", "impression", "imprimante", "scanner", "scan",
                  "photocopie", "photocopier")
"""A computer to use, with or without help (ORD, ORDM)."""
PROCEDURE_WORDS = ("démarches", "démarche", "démarches administratives", "démarches en ligne", "administratif",
                   "administratives", "CAF", "CPAM", "ameli", "impôts", "impôt", "déclaration", "déclarer",
                   "retraite", "France Travail", "Pôle emploi", "ANTS", "carte grise", "permis", "MSA", "RSA",
                   "prime d'activité", "APL", "titre de séjour", "accès aux droits", "aide administrative",
                   "papiers", "paperasse", "dossier administratif", "naturalisation", "passeport",
                   "carte d'identité", "carte vitale", "complémentaire santé", "actualisation", "actualiser")
"""Help with procedures online, simple or thorough (ACCDS, ACCDA)."""

SERVICES: tuple[Term, ...] = (
    Term("ORD", "Ordinateur en libre service", (*COMPUTER_WORDS, "accès internet", "poste internet")),
    Term("ORDM", "Ordinateur avec médiateur·rice",
         (*COMPUTER_WORDS, "accompagnement numérique", "aide informatique", "aide numérique",
          "conseiller numérique", "médiateur numérique")),
    Term("REP", "Ateliers de réparation de matériel informatique",
         ("réparation", "réparer", "repair café", "dépannage", "reconditionnement")),
    Term("FL", "FabLab", ("fablab", "fab lab", "fabrication numérique", "imprimante 3D")),
    Term("W", "Espace de co-working", ("coworking", "co working", "espace de travail partagé", "bureau partagé")),
    Term("ACCDS", "Aide aux démarches administratives en ligne", PROCEDURE_WORDS),
    Term("ACCDA", "Accompagnement approfondi à l'accès aux droits", PROCEDURE_WORDS),
    Term("SENS", "Sensibilisation au numérique",
         ("atelier", "ateliers", "atelier informatique", "atelier numérique", "cours", "cours d informatique",
          "initiation", "apprendre", "débutant", "sensibilisation")),
    Term("ACCN", "Accompagnement individuel au numérique",
         ("accompagnement numérique", "aide informatique", "aide numérique", "conseiller numérique",
          "médiateur numérique", "accompagnement individuel", "aide smartphone", "aide tablette", "tablette",
          "tablettes", "smartphone", "smartphones", "téléphone portable", "mail", "mails", "email", "e-mail",
          "courriel", "adresse mail", "boîte mail", "visio", "visioconférence")),
    Term("COMP", "Ateliers informatiques de montée en compétences",
         ("atelier", "ateliers", "atelier informatique", "atelier numérique", "cours", "cours d informatique",
          "initiation", "apprendre", "formation", "débutant", "bureautique", "compétences")),
    Term("PRO", "Formation numérique professionnalisante",
         ("formation", "formation professionnelle", "formation certifiante", "certification", "PIX",
          "professionnalisante")),
    Term("ENT", "Ateliers collectifs d'entraide numérique",
         ("atelier", "ateliers", "atelier informatique", "atelier numérique", "entraide", "cours",
          "initiation", "apprendre")),
    # Services of the national data standard with no RhinOcc code (index.national_vocabulary).
    Term("SECU", "Usage sécurisé du numérique",
         ("cybersécurité", "sécurité en ligne", "sécurité numérique", "arnaque", "arnaques", "piratage",
          "pirate", "mot de passe", "mots de passe", "hameçonnage", "phishing", "virus")),
    Term("PAR", "Parentalité et éducation avec le numérique",
         ("parentalité", "contrôle parental", "temps d'écran", "écrans", "éducation au numérique",
          "éducation numérique", "pronote", "ENT scolaire")),
    Term("CREA", "Loisirs et créations numériques",
         ("création numérique", "créations numériques", "loisirs numériques", "retouche photo", "montage vidéo",
          "photo numérique", "jeux vidéo", "musique assistée par ordinateur")),
    Term("EQUIP", "Matériel informatique à prix solidaire",
         ("ordinateur pas cher", "ordinateur reconditionné", "ordinateurs reconditionnés", "acheter un ordinateur",
          "matériel reconditionné", "prix solidaire", "s'équiper", "équipement informatique")),
)

PUBLICS: tuple[Term, ...] = (
    Term("TP", "Tout public", ("tout public", "tous publics", "tout le monde")),
    Term("J", "Jeunes", ("jeune", "jeunes", "ado", "ados", "adolescent", "adolescents", "étudiant", "étudiants",
                         "16 25 ans", "mon fils", "ma fille", "lycéen", "jeunesse")),
    Term("SEN", "Seniors", ("senior", "seniors", "personnes âgées", "personne âgée", "retraités", "retraite",
                            "aînés", "troisième âge")),
    Term("DE", "Demandeurs d'emploi", ("demandeur d'emploi", "demandeurs d'emploi", "chômeur", "chômeurs",
                                       "chômage", "sans emploi", "recherche d'emploi", "cherche du travail")),
    Term("AD", "Adultes", ("adulte", "adultes")),
    Term("ALL", "Allocataires CAF", ("allocataire", "allocataires", "allocataire CAF", "allocataires CAF",
                                     "bénéficiaire RSA", "bénéficiaires RSA", "bénéficiaire du RSA",
                                     "bénéficiaires du RSA", "au RSA", "allocataire du RSA")),
    Term("ETR", "Personnes étrangères", ("étranger", "étrangers", "étrangère", "étrangères", "migrant",
                                         "migrants", "réfugié", "réfugiés", "demandeur d'asile", "FLE",
                                         "allophone", "allophones")),
    Term("F", "Femmes", ("femme", "femmes")),
    Term("H", "Personnes en situation de handicap",
         ("handicap", "handicapé", "handicapés", "handicapée", "handicapées", "PMR", "handicap visuel",
          "handicap auditif", "handicap moteur", "handicap mental", "malvoyant", "malvoyants", "malvoyante",
          "aveugle", "aveugles", "non voyant", "sourd", "sourds", "malentendant", "malentendants",
          "fauteuil roulant", "situation de handicap")),
    # "Familles et/ou enfants" of the national data standard.
    Term("FAM", "Familles et enfants", ("famille", "familles", "enfant", "enfants", "parents")),
)

LABELS: tuple[Term, ...] = (
    # France Services desks took over the MSAPs (2020): people still say « la MSAP ».
    Term("MFS", "France Services", ("France Services", "France Service", "maison France Services",
                                    "maison France Service", "espace France Services", "MSAP",
                                    "maison de services au public", "maison des services au public")),
    Term("MSAP", "Maison de services au public", ("MSAP", "maison de services au public",
                                                  "maison des services au public", "maison de service au public")),
    Term("APTIC", "APTIC (pass numérique)", ("APTIC", "pass numérique", "chèque APTIC", "chèques APTIC",
                                            "chèques pass numérique", "chèque numérique")),
    Term("EPN", "Espace public numérique", ("EPN", "espace public numérique", "espaces publics numériques")),
    Term("TL", "Tiers-lieu", ("tiers-lieu", "tiers-lieux", "tierslieu")),
    Term("REL", "Structure relais RhinOcc", ()),
    Term("CNFS", "Conseiller numérique", ("CNFS",)),
    Term("AC", "Aidants Connect", ("Aidants Connect", "Aidant Connect")),
    Term("GN", "Grande École du Numérique", ("grande école du numérique",)),
    Term("PIMMS", "PIMMS médiation", ("PIMMS",)),
)

OUT_OF_SCOPE: tuple[Term, ...] = (
    # Needs people bring to a front desk that the directory of digital-inclusion places does not
    # cover; ``label`` is said in the reply (« je ne trouve pas de piscine »).
    Term("piscine", "de piscine", ("piscine", "piscines", "piscine municipale")),
    Term("logement", "de logement", ("logement", "logements", "appartement", "hlm", "location")),
    Term("alimentaire", "d'aide alimentaire", ("colis alimentaire", "colis alimentaires", "banque alimentaire",
                                               "aide alimentaire", "restos du coeur", "distribution alimentaire")),
    Term("soins", "de médecin ni de soins", ("medecin", "docteur", "hopital", "urgences", "pharmacie", "dentiste",
                                             "infirmier")),
    Term("garde", "de garde d'enfants", ("creche", "garderie", "nounou", "assistante maternelle")),
    Term("sport", "de lieu de sport", ("salle de sport", "gymnase", "sport", "foot", "football")),
    Term("vetements", "de vêtements", ("vetements", "vestiaire solidaire", "habits")),
    Term("transport", "de transport", ("taxi", "covoiturage", "transport a la demande")),
)
"""Needs outside the directory: said so, with what it does cover, instead of searched."""

SMALL_TALK: dict[str, tuple[str, ...]] = {
    # Kind -> folded phrases that make up a whole message of small talk.
    "greeting": ("bonjour", "bonsoir", "salut", "coucou", "hello", "bjr", "slt", "hey", "re", "allo"),
    "thanks": ("merci", "merci beaucoup", "mci", "thanks", "thx", "merci bien", "top", "super", "parfait",
               "genial", "cool", "nickel"),
    "yes": ("oui", "ok", "okay", "d accord", "dac", "daccord", "ouais", "yes", "exactement", "c est ca",
            "volontiers", "tout a fait", "bien sur", "ok d accord"),
    "no": ("non", "nan", "non merci", "pas du tout", "pas ca"),
    "bye": ("au revoir", "bonne journee", "bonne soiree", "a bientot", "bye", "ciao", "a plus", "bonne fin de journee",
            "a la prochaine", "bonne nuit"),
}
"""Messages that ask nothing: answered in a word, the conversation left as it was."""
SMALL_TALK_FILLERS = frozenset({"svp", "stp", "vous", "a", "tous", "toutes", "encore", "beaucoup", "bien", "et",
                                "madame", "monsieur", "ah", "oh", "eh", "bah", "alors", "donc"})

# Cues of where a place named in a message stands (index.understand.evidence weighs them).
PLACE_WORDS_BEFORE = frozenset({
    "a", "au", "aux", "sur", "dans", "vers", "de", "du", "d", "pres", "cote", "secteur", "habite", "habitent",
    "vit", "vivent", "reside", "resident", "en", "chez", "quartier", "commune", "ville", "proche", "autour",
    "environs", "alentours", "coin", "region",
})
"""A word right before a name (articles skipped) that introduces a place: « à », « sur », « du côté de »."""
PERSON_MARKERS = frozenset({
    "habite", "habitent", "habitant", "habitante", "vit", "vivent", "reside", "resident", "residant", "residente",
    "demenage", "demenagee", "emmenage", "emmenager", "emmenagee", "installe", "installee", "installes",
    "installees", "domicilie", "domiciliee", "originaire",
})
"""Words that say where the person lives (« elle habite Y », « installée à Lunel »)."""
STREET_TYPES = frozenset({
    "rue", "avenue", "av", "bd", "boulevard", "bvd", "chemin", "impasse", "imp", "allee", "allees", "route",
    "rte", "quai", "square", "residence", "lotissement", "faubourg", "fg", "passage", "esplanade", "promenade",
    "montee", "traverse",
})
"""Kinds of street and address (folded, with their usual abbreviations): a name right after one is
a street's (« 3 avenue de Toulouse à Albi », « rue des Lilas »), not the commune people go to."""
ANYWHERE = ("n", "importe", "ou")
"""« n'importe où dans Toulouse »: the area the person will go to, as much as where they live."""
ASKER_MARKERS = frozenset({"suis", "travaille", "bosse", "ecris", "poste", "depuis", "appelle", "sommes"})
"""First-person words of the asker's own situation (« je suis au CCAS de X », « je travaille à X »)."""

SERVICE_LABELS = {t.code: t.label for t in SERVICES}
PUBLIC_LABELS = {t.code: t.label for t in PUBLICS}
LABEL_LABELS = {t.code: t.label for t in LABELS}
FACET_LABELS = {"services": SERVICE_LABELS, "publics": PUBLIC_LABELS, "labels": LABEL_LABELS}
"""Facet -> code -> French label."""

NAME_IMPLIES: tuple[tuple[str, str, str], ...] = (
    # (folded phrase found in a place's name or type, facet, code). The directory often leaves
    # coded columns empty where the name says plainly what a place is.
    ("france services", "labels", "MFS"),
    ("france service", "labels", "MFS"),
    ("maison de services au public", "labels", "MSAP"),
    ("maison des services au public", "labels", "MSAP"),
    ("msap", "labels", "MSAP"),
    ("tiers lieu", "labels", "TL"),
    ("tiers lieux", "labels", "TL"),
    ("espace public numerique", "labels", "EPN"),
    ("fablab", "services", "FL"),
    ("fab lab", "services", "FL"),
    ("coworking", "services", "W"),
    ("cowork", "services", "W"),
    ("co working", "services", "W"),
    ("repair cafe", "services", "REP"),
    ("mission locale", "publics", "J"),
    ("information jeunesse", "publics", "J"),
    ("information jeunes", "publics", "J"),
    ("info jeunes", "publics", "J"),
    ("info jeunesse", "publics", "J"),
    ("point jeunes", "publics", "J"),
    ("espace jeunes", "publics", "J"),
    ("accueil jeunes", "publics", "J"),
    ("seconde chance", "publics", "J"),
    ("deuxieme chance", "publics", "J"),
    ("pij", "publics", "J"),
    ("bij", "publics", "J"),
    ("senior", "publics", "SEN"),
    ("seniors", "publics", "SEN"),
    ("pole emploi", "publics", "DE"),
    ("france travail", "publics", "DE"),
    ("chomeurs", "publics", "DE"),
)

LABEL_IMPLIES_SERVICES = {
    # A France Services desk (or its forerunner, the MSAP) exists to help with procedures.
    "MFS": ("ACCDS", "ACCDA"),
    "MSAP": ("ACCDS", "ACCDA"),
}

DEVICE_WORDS = frozenset({"ordinateur", "ordinateurs", "ordi", "ordis", "pc", "informatique", "telephone",
                          "smartphone", "tablette", "materiel", "portable"})
"""Objects of a repair or a lesson: "réparation d'ordinateur" asks for repairs, not for a computer to use."""

ABSORBING_SERVICES = frozenset({"REP", "COMP", "ENT", "SENS"})
"""Services whose device words are their object: "réparer mon ordi", "apprendre l'ordinateur"."""

AGE_PUBLICS = ((12, 25, "J"), (60, 120, "SEN"))
"""(from, to, public): "mon fils de 19 ans" asks for places for young people."""

TEXT_SYNONYMS = {
    # Folded word -> other words that name the same kind of place in names and descriptions.
    "mediatheque": ("bibliotheque",),
    "bibliotheque": ("mediatheque",),
    "biblio": ("bibliotheque", "mediatheque"),
    "media": ("mediatheque",),
    "cyber": ("cyberbase",),
    "cyberbase": ("cyber", "base"),
    "mairie": ("hotel de ville",),
}

STOP_WORDS = frozenset("""
a acces accompagnement adresse adresses ai aide aider aimerait aout aprem apres as au aussi autre
autres aux avec avoir avril bas besoin bien bonjour bonsoir c ca ce cela ces cet cette cherche
chercher cherchez cherchons chez chose coin combien comment d dame dans de decembre des dire dites
du elle elles en endroit endroits es espace espaces est et etre faire fait faudrait faut fevrier
gratuit gratuite gratuites gratuits heure heures homme ici il ils inclusion info information
informations infos j janvier je journee juillet juin juste l la le les leur leurs lieu lieux liste m
ma madame mai mais maison mars matin matinee me merci mere mes midi moi moins mois mon monsieur ne
nous novembre numerique numeriques octobre on only ou ouvert ouverte ouvertes ouverts ouverture par
pas pere personne personnes peut peux plait plus plutot point possible pour pourrais pourrait puis
qu quand que quel quelle quelles quelqu quelque quels qui quoi recherche rien sa sais salut sans
savoir semaine septembre service services ses seulement sil soir soiree son souhaite stp structure
structures sur svp t ta te tes ton tous tout toute toutes tres trouve trouver tu un une uniquement
vers veut veux voudrais voudrait voulait vous y
""".split())
"""Folded words that carry no need: dropped from what is searched in names and texts."""
