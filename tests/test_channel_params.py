"""The channel parameters of rtl/sgdma.v: an unsupported INCLUDE_MM2S / INCLUDE_S2MM stops
elaboration with a message naming the parameter and the value (Verilator lint)."""
from __future__ import annotations

import pytest

from sgdma_verif import toolchain


@pytest.mark.parametrize("params, message", [
    ({"INCLUDE_MM2S": 2}, "INCLUDE_MM2S must be 0 or 1, got 2"),
    ({"INCLUDE_S2MM": 0, "INCLUDE_MM2S": 1}, "INCLUDE_S2MM must be 1"),
])
def test_bad_channel_parameter_is_named(params, message, capsys):
    assert toolchain.lint((params,)) != 0
    out = capsys.readouterr().out
    assert message in out, out


def test_two_channel_build_lints_clean(capsys):
    assert toolchain.lint(({"INCLUDE_MM2S": 1},)) == 0, capsys.readouterr().out
