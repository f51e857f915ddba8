"""Reading a fetched page's bytes as text, when its declared encoding is wrong.

Scrapy decodes by the BOM, the Content-Type header, then the page's own `<meta charset>`.
Old provincial CMSs still write Vietnamese in windows-1258 while their server (or template)
declares UTF-8; strict UTF-8 then fails and the text fills with U+FFFD.
"""

from __future__ import annotations

from scrapy.http import TextResponse

# Vietnamese's legacy Windows code page: tone marks as combining characters.
LEGACY = "windows-1258"


def page_text(response: TextResponse) -> str:
    """The page's text; a page declared UTF-8 that is not valid UTF-8 is read as
    windows-1258 when that decodes it cleanly (Article text is NFC-normalised later)."""
    text = response.text
    if "\ufffd" not in text or response.encoding.replace("-", "").lower() != "utf8":
        return text
    try:
        response.body.decode("utf-8")
        return text  # valid UTF-8 that itself holds U+FFFD: the page's own
    except UnicodeDecodeError:
        pass
    try:
        return response.body.decode(LEGACY)
    except UnicodeDecodeError:
        return text
