"""Fill a catalog's Chinese translations from a JSON object {English msgid: Chinese msgstr}.

    .venv/bin/python gateway/console/translations/translate.py DOMAIN zh.json
    .venv/bin/python gateway/console/translations/translate.py DOMAIN --missing   # list what is untranslated

Then run catalogs.sh DOMAIN to compile. Editing the .po file by hand works just as well.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

CATALOGS = Path(__file__).parent / "zh_CN" / "LC_MESSAGES"


def main(domain: str, source: str) -> int:
    path = CATALOGS / f"{domain}.po"
    with path.open("rb") as fh:
        catalog = read_po(fh, locale="zh_CN", domain=domain)
    if source != "--missing":
        given = json.loads(Path(source).read_text(encoding="utf-8"))
        for message in catalog:
            if message.id and message.id in given:
                message.string = given[message.id]
                message.flags.discard("fuzzy")
        with path.open("wb") as fh:
            write_po(fh, catalog, omit_header=False, width=0)
    missing = [m.id for m in catalog if m.id and not m.string]
    for msgid in missing:
        print(json.dumps(msgid, ensure_ascii=False))
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
