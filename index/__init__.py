"""Orienteur's search core: from a directory file to the places a user needs.

Parts and their contracts (imports point one way, top to bottom):

- ``places``: ``Place`` and its parts, the normalised record every reader produces.
- ``normalise``: ``fold()``, one text normalisation for indexing and querying alike.
- ``sources``: one reader per directory format, each turning a file into
  ``Place`` records and ``RowProblem`` reports (line, id, reason).
- ``gazetteer``: communes, départements and postcodes of France, fuzzy-matched.
- ``vocabulary``: services, publics and labels: code, French label, everyday words.
- ``understand``: ``parse(message, ...) -> Query``, a pure function.
- ``store``: the whoosh index and the places beside it, built once, opened many times.
- ``rank``: named, capped partial scores; ``cards``: what a user is shown.
- ``engine``: search on the current index, swapped when a rebuild lands.
- ``conversation``: sessions, follow-ups, paging and every French sentence.

Nothing here imports a front end (``bot``, ``webchat``, telegram, aiohttp).
"""
