"""HTTP requests as an attacker sends them, over a raw socket: a body announced and never
finished, or trickled a byte at a time, and what the server answers before it hangs up."""

from __future__ import annotations

import asyncio


async def stalled_post(port: int, path: str, *, announced: int = 100, body: bytes = b'{"message":',
                       pace: float | None = None, headers: dict[str, str] | None = None,
                       wait: float = 5.0) -> bytes:
    """POST announcing ``announced`` bytes, sending ``body`` (a byte every ``pace`` s when given) and
    no more; returns all the server sent until it closed, or what it had sent after ``wait`` s."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json",
             f"Content-Length: {announced}", *(f"{k}: {v}" for k, v in (headers or {}).items())]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
    received = bytearray()

    async def trickle() -> None:
        for byte in body:
            writer.write(bytes([byte]))
            await asyncio.sleep(pace)

    sender = asyncio.create_task(trickle()) if pace else None
    if not pace:
        writer.write(body)
    try:
        async with asyncio.timeout(wait):
            while chunk := await reader.read(65536):
                received += chunk
    except TimeoutError:
        pass
    finally:
        if sender:
            sender.cancel()
        writer.close()
    return bytes(received)


async def abandoned_post(port: int, path: str, headers: dict[str, str] | None = None) -> None:
    """POST announcing 100 bytes, sending 10, then closing the connection."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json",
             "Content-Length: 100", *(f"{k}: {v}" for k, v in (headers or {}).items())]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + b'{"message"')
    await writer.drain()
    writer.close()
    await writer.wait_closed()
