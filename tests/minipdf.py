"""Small, valid PDF files written by hand for the `document` loader's tests: text in the
standard Helvetica fonts at chosen sizes, so headings and gaps are real, with no PDF writer
library needed (PDF 32000-1: objects, a content stream, the xref table and trailer)."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple


class Text(NamedTuple):
    size: float  # points; 0 leaves a blank line's gap
    text: str = ""
    bold: bool = False


GAP = Text(0)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _text_stream(lines: list[Text]) -> bytes:
    out = ["BT", "72 770 Td"]
    previous = 11.0
    for line in lines:
        if line.size == 0:
            out.append(f"0 -{previous:.1f} Td")
            continue
        out.append(f"{'/F2' if line.bold else '/F1'} {line.size:g} Tf")
        out.append(f"0 -{line.size * 1.3:.1f} Td")
        out.append(f"({_escape(line.text)}) Tj")
        previous = line.size
    out.append("ET")
    return "\n".join(out).encode("latin-1")


# A grey box and a 2x2 inline image: what a scanned page without OCR looks like to a reader.
_IMAGE_STREAM = (
    b"0.5 g 72 600 200 100 re f\nq 200 0 0 200 72 300 cm\n"
    b"BI /W 2 /H 2 /CS /G /BPC 8 ID \x00\xff\xff\x00 EI\nQ"
)


def write_pdf(path: Path, pages: list[list[Text]], *, title: str | None = None) -> Path:
    """A PDF with one page per list of lines (no lines: an image-only page)."""
    streams = [_text_stream(lines) if lines else _IMAGE_STREAM for lines in pages]
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # the page tree, once the page numbers are known
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold >>",
    ]
    page_ids: list[int] = []
    for stream in streams:
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents %d 0 R >>" % len(objects)
        )
        page_ids.append(len(objects))
    kids = " ".join(f"{number} 0 R" for number in page_ids).encode()
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(page_ids))
    if title is not None:
        objects.append(b"<< /Title (%s) >>" % _escape(title).encode("latin-1"))
    data = bytearray(b"%PDF-1.4\n")
    offsets: list[int] = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(data))
        data += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(data)
    data += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    data += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    info = b" /Info %d 0 R" % len(objects) if title is not None else b""
    data += b"trailer\n<< /Size %d /Root 1 0 R%s >>\n" % (len(objects) + 1, info)
    data += b"startxref\n%d\n%%%%EOF\n" % xref
    path.write_bytes(bytes(data))
    return path
