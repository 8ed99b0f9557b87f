"""The conversation: sessions, follow-ups, paging and every French sentence; no channel."""
