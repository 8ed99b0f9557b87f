"""The update processor: one chat's updates in order, other chats never held up by it."""

from __future__ import annotations

import asyncio
import datetime as dt

from telegram import Chat, Message, Update

from bot.app import ChatOrderedProcessor


def update_from(chat_id: int, n: int) -> Update:
    chat = Chat(id=chat_id, type=Chat.PRIVATE)
    return Update(update_id=n, message=Message(message_id=n, date=dt.datetime.now(dt.UTC), chat=chat, text="x"))


async def test_a_flooding_chat_does_not_take_the_slots_other_chats_need():
    processor = ChatOrderedProcessor(max_concurrent_updates=2)
    release = asyncio.Event()
    order: list[str] = []

    async def slow(n: int) -> None:
        await release.wait()
        order.append(f"flood {n}")

    async def quick() -> None:
        order.append("other chat")

    flood = [asyncio.create_task(processor.process_update(update_from(1, n), slow(n))) for n in range(5)]
    await asyncio.sleep(0.05)
    await asyncio.wait_for(processor.process_update(update_from(2, 99), quick()), timeout=2)
    assert order == ["other chat"]
    release.set()
    await asyncio.gather(*flood)
    assert order[1:] == [f"flood {n}" for n in range(5)], "one chat's updates keep their order"
