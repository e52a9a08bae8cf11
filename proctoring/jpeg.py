"""JPEG checks by content, without decoding the picture: the file must start like a
JPEG, have a well-formed segment structure up to the scan, a frame header with the
picture's size, and end with the end-of-image marker (a cut-off upload does not).

Pure: `inspect_jpeg(data)` returns the size or raises `JpegError` with a reason code.
"""
from dataclasses import dataclass

NOT_JPEG, CORRUPT, TRUNCATED = "not_jpeg", "corrupt", "truncated"

# Start-of-frame markers (baseline, extended, progressive, lossless; Huffman and arithmetic).
SOF_MARKERS = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})
STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})
SOS, EOI = 0xDA, 0xD9


class JpegError(ValueError):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class JpegInfo:
    width: int
    height: int
    components: int
    progressive: bool


def inspect_jpeg(data: bytes) -> JpegInfo:
    """Size and layout of a JPEG. Raises JpegError(NOT_JPEG | CORRUPT | TRUNCATED)."""
    if len(data) < 4 or data[:3] != b"\xff\xd8\xff":
        raise JpegError(NOT_JPEG)
    position, info = 2, None
    while True:
        if position >= len(data):
            raise JpegError(TRUNCATED)
        if data[position] != 0xFF:
            raise JpegError(CORRUPT)
        while position < len(data) and data[position] == 0xFF:  # fill bytes
            position += 1
        if position >= len(data):
            raise JpegError(TRUNCATED)
        marker = data[position]
        position += 1
        if marker in STANDALONE:
            continue
        if marker == EOI or marker == 0x00:
            raise JpegError(CORRUPT)
        if position + 2 > len(data):
            raise JpegError(TRUNCATED)
        length = int.from_bytes(data[position:position + 2], "big")
        if length < 2:
            raise JpegError(CORRUPT)
        if position + length > len(data):
            raise JpegError(TRUNCATED)
        if marker in SOF_MARKERS:
            if length < 8:
                raise JpegError(CORRUPT)
            height = int.from_bytes(data[position + 3:position + 5], "big")
            width = int.from_bytes(data[position + 5:position + 7], "big")
            components = data[position + 7]
            if width == 0 or height == 0 or components not in (1, 3, 4):
                raise JpegError(CORRUPT)
            info = JpegInfo(width, height, components, marker == 0xC2)
        if marker == SOS:
            if info is None:
                raise JpegError(CORRUPT)
            break
        position += length
    if not data.rstrip(b"\x00").endswith(b"\xff\xd9"):
        raise JpegError(TRUNCATED)
    return info
