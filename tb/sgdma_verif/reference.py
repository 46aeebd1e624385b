"""Functional reference of the S2MM rules, independent of the RTL and of the fast model.

Given the stream (as packets, or one endless packet when tlast is not used) and the buffer
lengths of the descriptors in the order the engine uses them, it says what each buffer must
hold and what STATUS word each descriptor must get back.  The testbenches' end-of-test checks,
the streaming scoreboard (scoreboard.py) and the fast model's self-checks use it.
"""
from __future__ import annotations

from sgdma_driver.driver import Completion


def s2mm_expected(packets: list[bytes], buffer_lengths: list[int], tlast: bool = True) -> list[Completion]:
    """Completions the descriptors get, in order, for this stream.

    With ``tlast`` each element of ``packets`` ends with tlast: a packet fills buffers in order
    and its end completes the buffer it ends in (RXEOF), the next packet starting in the next
    buffer (RXSOF).  Without tlast the stream is one endless packet: every buffer is filled
    completely and only the first has RXSOF.  Descriptors the stream does not reach (or only
    partly fills without tlast) are left out of the result.
    """
    return s2mm_fill(packets, buffer_lengths, tlast)[0]


def s2mm_fill(packets: list[bytes], buffer_lengths: list[int],
              tlast: bool = True) -> tuple[list[Completion], bytes]:
    """``s2mm_expected`` plus the bytes the engine writes into the next descriptor without
    completing it (a buffer partly filled by a stream without tlast; empty otherwise)."""
    out: list[Completion] = []
    di = 0
    stream = packets if tlast else [b"".join(packets)]
    pkt_start = True
    for pkt in stream:
        pos = 0
        while pos < len(pkt) or (pos == 0 and len(pkt) == 0):
            if di >= len(buffer_lengths):
                return out, b""
            take = min(buffer_lengths[di], len(pkt) - pos)
            ends_packet = (pos + take == len(pkt)) and tlast
            full = take == buffer_lengths[di]
            if not (ends_packet or full):
                return out, pkt[pos:pos + take]  # partly filled without tlast: not complete
            out.append(Completion(di, di, take, buffer_lengths[di], sof=(pos == 0 and pkt_start), eof=ends_packet,
                                  data=pkt[pos:pos + take]))
            pos += take
            di += 1
            if len(pkt) == 0:
                break
        pkt_start = tlast
    return out, b""


def place_buffers(lengths: list[int], offsets: list[int], base: int, gap: int) -> list[tuple[int, int]]:
    """Test buffer layout: each buffer starts `offset` bytes past a 256-byte boundary, with at
    least `gap` guard bytes after the previous one. Returns (address, length) pairs."""
    bufs, addr = [], base
    for length, off in zip(lengths, offsets):
        addr = (addr + 255) // 256 * 256 + off
        bufs.append((addr, length))
        addr += length + gap
    return bufs
