"""What both front ends' aiohttp servers share (the web chat's and the bot's webhook's), below both:
it imports aiohttp and ``index``, never ``bot`` or ``webchat``, so neither front end imports the other."""
