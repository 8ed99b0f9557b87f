"""Query understanding: ``parse(message, ...) -> Query``, pure and total."""
