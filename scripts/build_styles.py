"""Compile the web pages' stylesheet (`easy_dataset/server/ui/static/tailwind.css`).

    .venv/bin/python scripts/build_styles.py      (or: make styles)

Run it after adding a Tailwind class to a page; `tests/test_ui_styles.py` fails until then.
It runs Tailwind's browser build (shipped with NiceGUI) in headless Chromium: nothing is
fetched from the network.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the test suite's browser harness

from tests.browser import chromium  # noqa: E402
from tests.styles_build import compile_sheet  # noqa: E402

from easy_dataset.server.ui.styles import SHEET  # noqa: E402


def main() -> None:
    driver = chromium()
    try:
        sheet = compile_sheet(driver)
    finally:
        driver.quit()
    SHEET.write_text(sheet, encoding="utf-8")
    print(f"{SHEET.relative_to(ROOT)}: {len(sheet.encode()):,} bytes")


if __name__ == "__main__":
    main()
