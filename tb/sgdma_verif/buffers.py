"""Where the directed testbenches put descriptors and buffers in the testbench memory, and
the end-of-test checks on them: each buffer's bytes and STATUS against the reference, and the
guard bytes around the buffers unchanged."""
from __future__ import annotations

from . import reference
from .env import TB

GUARD = 0xA5
MEM_SIZE = 1 << 21
DESC_BASE = 0x1000
BUF_BASE = 0x10000


def place_buffers(lengths: list[int], offsets: list[int], base: int = BUF_BASE,
                  gap: int = 96) -> list[tuple[int, int]]:
    """Buffers at the given misalignments, each followed by a guard gap."""
    return reference.place_buffers(lengths, offsets, base, gap)


def check_guards(tb: TB, bufs: list[tuple[int, int]], lo: int, hi: int) -> None:
    """Every byte in [lo, hi) outside the buffers still holds the guard value."""
    mask = bytearray(hi - lo)
    for addr, length in bufs:
        mask[addr - lo:addr - lo + length] = b"\x01" * length
    mem = tb.mem
    bad = [lo + i for i in range(hi - lo) if not mask[i] and mem[lo + i] != GUARD]
    assert not bad, f"{len(bad)} guard bytes overwritten, first at {bad[0]:#x}"


def check_buffers(tb: TB, descs: list[int], bufs: list[tuple[int, int]], expected) -> None:
    for i, exp in enumerate(expected):
        addr, _ = bufs[i]
        got = bytes(tb.mem[addr:addr + len(exp.data)])
        if got != exp.data:
            first = next(k for k in range(len(got)) if got[k] != exp.data[k])
            raise AssertionError(f"descriptor {i} (buffer {addr:#x}): byte {first} is {got[first]:#04x}, "
                                 f"expected {exp.data[first]:#04x}")
        st = tb.status(descs[i])
        assert st == exp.status, f"descriptor {i}: STATUS {st:#010x}, expected {exp.status:#010x}"
