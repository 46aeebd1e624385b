"""sgdma_sim: running the engine, as RTL (cocotb) or as the fast cycle-approximate model."""
