"""sgdma_verif: verifying rtl/sgdma.v and calibrating the fast model against it.

The cocotb environment (`env`, `axi_checker`, `cosim`), the functional reference
(`reference`, `buffers`), the calibration program (`calibration`, `calibration_tb`), the RTL
backend of `sgdma-sim run` (`rtl_backend`, `acquisition_tb`), and the runners of `make bench`,
`make regress`, `make coverage` and `make figures` (`bench`, `bench_scale`, `bench_tb`,
`regress`, `coverage`, `figures`), with the simulator toolchain they share (`toolchain`).
It depends on sgdma_sim and sgdma_driver, never the other way (docs/architecture.md).
"""
