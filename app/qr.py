"""QR codes for the join link: SVG for pages and a text version for the terminal."""

import io

import qrcode
import qrcode.image.svg


def qr_svg(data: str) -> str:
    """An SVG that scales to any size; the quiet zone is part of the code."""
    image = qrcode.make(
        data, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=10, border=2,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
    )
    svg: str = image.to_string(encoding="unicode")
    return svg


def qr_text(data: str) -> str:
    """Block characters for a terminal; readable by phone cameras off a laptop screen."""
    code = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_L)
    code.add_data(data)
    out = io.StringIO()
    code.print_ascii(out=out, invert=True)
    return out.getvalue()
