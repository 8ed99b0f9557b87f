"""Screenshots of the web chat and of the bot's messages, for a person to look at.

    .venv/bin/python scripts/screenshots.py [--source PATH] [--out .cache/screenshots]

Builds an index of the real directory (../shared, else the bundled sample) in a temporary
home, serves it with ``orienteur serve`` on a free 127.0.0.1 port (the tests' own
``tests.support.serving.Server``), asks a set of questions in Debian's headless Chromium at
375×812 and 1280×800, and prints the referral sheet; the
bot's answers (one message each, a full card, the buttons) are rendered as an HTML page
styled like a Telegram chat and screenshotted too. Everything goes into ``--out`` (git-ignored).
"""

from __future__ import annotations

import argparse
import html
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot import render, words  # noqa: E402
from index.conversation import Conversation  # noqa: E402
from index.engine import Engine  # noqa: E402
from index.settings import SAMPLE_SOURCE  # noqa: E402
from tests.support.homes import REAL_CSV, build_home  # noqa: E402
from tests.support.serving import Server  # noqa: E402

QUESTIONS = ("ouvert le samedi à toulouse", "personne âgée ouvert le samedi albi", "atelier ariège",
             "ouvert maintenant à Toulouse", "démarches caf narbonne")
VIEWPORTS = {"phone": {"width": 375, "height": 812}, "desk": {"width": 1280, "height": 800}}
CHROMIUM = "/usr/bin/chromium"
CHAT_CSS = """
body { background: #8fb0c9; font: 15px/1.4 system-ui, sans-serif; margin: 0; padding: 16px; }
.chat { max-width: 420px; margin: 0 auto; display: flex; flex-direction: column; gap: 10px; }
.me { align-self: flex-end; background: #effdde; border-radius: 12px; padding: 8px 12px; max-width: 80%; }
.bot { align-self: flex-start; background: #fff; border-radius: 12px; padding: 8px 12px; max-width: 92%;
       white-space: pre-wrap; }
.keys { display: grid; gap: 4px; margin-top: 6px; }
.row { display: flex; gap: 4px; }
.key { flex: 1; background: #e6eef5; color: #1d5a8c; border-radius: 8px;
       padding: 8px 4px; text-align: center; font-weight: 600; font-size: 14px; }
.venue { align-self: flex-start; background: #fff; border-radius: 12px; padding: 8px 12px; }
.reply-keyboard { background: #f0f0f0; padding: 8px; text-align: center; }
h2 { color: #fff; font-size: 14px; text-align: center; margin: 8px 0; }
"""


def keyboard_html(markup) -> str:
    rows = getattr(markup, "inline_keyboard", None) or ()
    if not rows:
        return ""
    body = "".join('<div class="row">' + "".join(f'<span class="key">{html.escape(b.text)}</span>' for b in row)
                   + "</div>" for row in rows)
    return f'<div class="keys">{body}</div>'


def bubble(outgoing: render.Outgoing) -> str:
    return f'<div class="bot">{outgoing.text}{keyboard_html(outgoing.markup)}</div>'


def bot_page(conversation: Conversation, question: str) -> str:
    """The bot's answer to ``question``, the first place opened as a full card, and the next page."""
    key = "shots"
    reply = conversation.handle(key, question)
    parts = [f'<div class="me">{html.escape(question)}</div>', bubble(render.answer(reply))]
    if reply.cards:
        parts.append("<h2>1 touché : le message devient la fiche</h2>")
        parts.append(bubble(render.full_card(reply, 0)))
    if reply.more:
        parts.append("<h2>« Plus » : le message devient la page suivante</h2>")
        parts.append(bubble(render.answer(conversation.more(key))))
    parts.append(f'<div class="reply-keyboard">{html.escape(words.AROUND_ME_KEY)}</div>')
    return (f"<!doctype html><meta charset=utf-8><style>{CHAT_CSS}</style>"
            f'<div class="chat">{"".join(parts)}</div>')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", default=str(REAL_CSV if REAL_CSV.is_file() else SAMPLE_SOURCE))
    parser.add_argument("--out", default=str(ROOT / ".cache" / "screenshots"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        home = build_home(Path(tmp) / "home", [args.source])
        with Server(home, Path(tmp) / "serve.log", ORIENTEUR_DESK_NAME="France Services de Muret") as server, \
                sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                 args=["--no-sandbox", "--disable-gpu"])
            for label, viewport in VIEWPORTS.items():
                context = browser.new_context(viewport=viewport, locale="fr-FR", reduced_motion="reduce")
                page = context.new_page()
                for n, question in enumerate(QUESTIONS, 1):
                    page.goto(server.base)
                    page.wait_for_selector("#examples button")
                    page.fill("#question", question)
                    page.press("#question", "Enter")
                    page.locator(".message.assistant:not(.pending):not(#welcome)").first.wait_for()
                    page.locator(".message.assistant:not(.pending):not(#welcome)").first.scroll_into_view_if_needed()
                    page.screenshot(path=str(out / f"web-{label}-{n}.png"))
                cards = page.locator("article.card")
                for i in range(min(3, cards.count())):
                    cards.nth(i).locator("input.to-print").check()
                page.fill("#note", "Venir avec sa carte Vitale et un justificatif de domicile.")
                page.screenshot(path=str(out / f"web-{label}-selection.png"))
                page.emulate_media(media="print")
                page.screenshot(path=str(out / f"web-{label}-sheet.png"), full_page=True)
                if label == "desk":
                    page.pdf(path=str(out / "sheet.pdf"), format="A4")
                context.close()
            conversation = Conversation(Engine(home=home))
            page = browser.new_page(viewport={"width": 480, "height": 1400})
            for n, question in enumerate(QUESTIONS, 1):
                page.set_content(bot_page(conversation, question))
                page.screenshot(path=str(out / f"bot-{n}.png"), full_page=True)
            browser.close()
    print(f"screenshots in {out}")


if __name__ == "__main__":
    main()
