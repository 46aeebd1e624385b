// Lets tools run from the repository root find the engine's defines: the RTL includes
// "sgdma_defs.vh" by bare name (found next to it in rtl/, or through rtl/sgdma.f).
`include "rtl/sgdma_defs.vh"
