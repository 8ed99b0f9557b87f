"""Telegram bot: a thin adapter from Telegram updates to the conversation layer."""
