"""The shape of the house: the core knows no front end, and every setting is documented."""

from __future__ import annotations

import ast
import re
import subprocess

from index.settings import Settings
from tests.support.homes import ROOT

FRONT_ENDS = {"telegram", "aiohttp", "bot", "webchat"}


def imported_roots(path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            roots.add(node.module.split(".")[0])
    return roots


def test_index_imports_no_front_end():
    offenders = {str(p.relative_to(ROOT)): imported_roots(p) & FRONT_ENDS
                 for p in (ROOT / "index").rglob("*.py") if imported_roots(p) & FRONT_ENDS}
    assert offenders == {}


def test_front_ends_import_neither_each_other_nor_are_imported_by_what_they_share():
    """What both aiohttp servers share lives in ``serving``, below both: the bot never imports the web
    chat, nor the web chat the bot, and ``serving`` neither."""
    below = {"bot": {"webchat"}, "webchat": {"bot", "telegram"}, "serving": {"bot", "webchat", "telegram"}}
    offenders = {str(p.relative_to(ROOT)): imported_roots(p) & forbidden
                 for package, forbidden in below.items() for p in (ROOT / package).rglob("*.py")
                 if imported_roots(p) & forbidden}
    assert offenders == {}


def test_every_setting_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [var for var, _, _ in Settings.documented() if f"`{var}`" not in readme]
    assert missing == []


def test_secrets_do_not_show_in_repr():
    settings = Settings.from_env({}, telegram_token="123:secret", admin_token="hunter2")
    assert "secret" not in repr(settings) and "hunter2" not in repr(settings)


def test_make_test_waits_for_the_package_managers_lock_instead_of_failing():
    """``make test`` installs Chromium with apt when it is missing; with another program holding
    the lock (an upgrade, another engineer's install), apt must wait for it, not stop at once."""
    dry_run = subprocess.run(["make", "-n", "browser-deps"], cwd=ROOT, capture_output=True, text=True, check=True)
    calls = re.findall(r"apt-get[^&|)]*", dry_run.stdout)
    assert calls and all(re.search(r"-o DPkg::Lock::Timeout=\d+", call) for call in calls), calls
