"""Drive the real bot with 1,000 messages from 50 chats through the fake Bot API.

Run with ``python tests/bench/bench_bot.py`` (not collected by pytest). The bot is built
by ``build_application`` over the real RhinOcc directory (built into a temporary home)
and polls the fake server (tests/support/fake_telegram.py) on 127.0.0.1, in the same
process and event loop. Each chat behaves like a person: it sends its next message once
the previous reply is complete (questions, follow-ups, "plus", locations); the 50 chats
run at once. Printed: throughput (messages answered per second, Telegram messages sent
per second), and p50/p99 of the time from an update being queued on the server to the
first message of its reply and to the reply's last message.

``--no-limit`` replaces the rate limiter by one that never waits: what the bot itself
can do. With it (the default), Telegram's limits set the pace: about 30 messages a
second overall and one a second per chat after a burst, and a reply is a header and up
to three cards, so expect about 7 replies a second.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dtm
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PTB_TIMEDELTA", "true")

from aiohttp import web  # noqa: E402
from telegram import Update  # noqa: E402
from telegram.ext import TypeHandler  # noqa: E402

from bot.app import build_application  # noqa: E402
from bot.limits import ChatRateLimiter  # noqa: E402
from index.conversation import Conversation  # noqa: E402
from index.conversation.sqlite_store import SqliteSessions  # noqa: E402
from index.engine import Engine  # noqa: E402
from index.settings import SAMPLE_SOURCE, Settings  # noqa: E402
from tests.support.fake_telegram import TOKEN, FakeTelegram  # noqa: E402
from tests.support.homes import build_home  # noqa: E402

REAL_CSV = ROOT.parent / "shared" / "data" / "rhinocc" / "lieux-geocodes.csv"
SCRIPT = [
    "atelier informatique gers", "plus", "et le samedi ?", "démarches caf narbonne", "plus",
    ("location", 43.6045, 1.4440), "atelier", "wifi gratuit 65200", "france services près de Muret",
    "seulement pour les jeunes", "ouvert le samedi à Tarbes", "et à Auch ?", "imprimer un document Albi",
    "🙂", "aide aux démarches en ligne Perpignan", "plus", ("location", 43.2130, 2.3491), "fablab",
    "ordinateur en libre accès Montauban", "démarches cpam Carcassonne",
]
"""What one chat sends, in order (20 messages); each chat starts at a different line."""


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def run(chats: int, per_chat: int, limit: bool, home: Path) -> None:
    fake = FakeTelegram()
    runner = web.AppRunner(fake.make_app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    settings = Settings.from_env({}, home=str(home), telegram_token=TOKEN,
                                 telegram_api_url=f"http://127.0.0.1:{port}/bot", reload_interval=60.0)
    conversation = Conversation(Engine(home=home), page_size=3, sessions=SqliteSessions(":memory:"))
    limiter = None if limit else ChatRateLimiter(overall_rate=1e9, chat_rate=1e9, chat_burst=10**9,
                                                 group_rate=1e9, group_burst=10**9)
    application = build_application(settings, conversation, rate_limiter=limiter)
    done: dict[int, asyncio.Event] = {}
    finished: dict[int, float] = {}

    async def record(update: Update, context) -> None:
        finished[update.update_id] = time.monotonic()
        done[update.update_id].set()

    application.add_handler(TypeHandler(Update, record), group=1)  # runs once the reply is sent

    async def person(n: int) -> list[tuple[int, int]]:
        chat_id = 10_000 + n
        pushed = []
        for i in range(per_chat):
            step = SCRIPT[(n + i) % len(SCRIPT)]
            update = fake.location(chat_id, step[1], step[2]) if isinstance(step, tuple) else \
                fake.message(chat_id, step)
            done[update["update_id"]] = asyncio.Event()
            await asyncio.wait_for(done[update["update_id"]].wait(), 600)
            pushed.append((chat_id, update["update_id"]))
        return pushed

    await application.initialize()
    await application.post_init(application)
    await application.updater.start_polling(timeout=dtm.timedelta(seconds=10))
    await application.start()
    since = fake.mark()
    started = time.monotonic()
    try:
        runs = await asyncio.gather(*(person(n) for n in range(chats)))
    finally:
        elapsed = time.monotonic() - started
        await application.updater.stop()
        await application.stop()
        await application.post_stop(application)
        await application.shutdown()
        await runner.cleanup()

    sends = [c for c in fake.calls[since:] if c.method == "sendMessage"]
    first, whole = [], []
    for chat_id, update_id in (item for items in runs for item in items):
        t0 = fake.pushed_at[update_id]
        first_send = next(c.at for c in sends if c.params["chat_id"] == chat_id and c.at >= t0)
        first.append((first_send - t0) * 1000)
        whole.append((finished[update_id] - t0) * 1000)
    answered = len(whole)
    print(f"rate limiter: {'on (Telegram limits)' if limit else 'off (--no-limit)'}")
    print(f"{answered} messages from {chats} chats answered in {elapsed:.1f} s: "
          f"{answered / elapsed:.1f} messages/s, {len(sends) / elapsed:.1f} Telegram messages sent/s "
          f"({len(sends)} in all)")
    for name, values in (("update -> first message", first), ("update -> whole reply", whole)):
        print(f"  {name:24} p50 {percentile(values, 50):8.1f} ms   p99 {percentile(values, 99):8.1f} ms   "
              f"max {max(values):8.1f} ms   mean {statistics.fmean(values):8.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=50)
    parser.add_argument("--messages", type=int, default=1000, help="in all, spread evenly over the chats")
    parser.add_argument("--no-limit", action="store_true", help="no rate limiting: the bot's own capacity")
    parser.add_argument("--sample", action="store_true", help="the bundled sample instead of the real directory")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    source = SAMPLE_SOURCE if args.sample or not REAL_CSV.is_file() else REAL_CSV
    with tempfile.TemporaryDirectory() as tmp:
        started = time.monotonic()
        build_home(Path(tmp), [str(source)])
        print(f"index of {source.name} built in {time.monotonic() - started:.1f} s")
        asyncio.run(run(args.chats, args.messages // args.chats, not args.no_limit, Path(tmp)))


if __name__ == "__main__":
    main()
