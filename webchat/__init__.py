"""Web chat: a thin aiohttp adapter from HTTP requests to the conversation layer."""
