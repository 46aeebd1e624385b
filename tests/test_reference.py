"""The functional S2MM reference used by the scoreboards."""
from sgdma_verif.reference import s2mm_expected


def test_packets_shorter_equal_longer_than_buffers():
    pk = [b"a" * 10, b"b" * 16, b"c" * 40]
    out = s2mm_expected(pk, [16] * 6)
    assert [(len(c.data), c.sof, c.eof) for c in out] == [
        (10, True, True), (16, True, True), (16, True, False), (16, False, False), (8, False, True)]
    assert out[0].status == (1 << 31) | (1 << 27) | (1 << 26) | 10


def test_continuous_stream_fills_buffers_and_stops_at_partial():
    out = s2mm_expected([bytes(range(50))], [20, 20, 20], tlast=False)
    assert [len(c.data) for c in out] == [20, 20]
    assert out[0].sof and not out[1].sof and not any(c.eof for c in out)
    assert out[1].data == bytes(range(20, 40))


def test_runs_out_of_descriptors():
    out = s2mm_expected([b"x" * 100], [30, 30])
    assert len(out) == 2 and not out[-1].eof
