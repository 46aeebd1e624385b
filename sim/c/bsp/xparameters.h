/* xparameters.h - the "hardware" a co-simulated driver runs on, from the runner's options:
 * the engine's register window (--reg-base) and the DMA memory (--mem-base, --mem-size). */
#ifndef XPARAMETERS_H
#define XPARAMETERS_H

#ifndef SGDMA_SIM_REG_BASE
#define SGDMA_SIM_REG_BASE 0x40400000
#endif
#ifndef SGDMA_SIM_MEM_BASE
#define SGDMA_SIM_MEM_BASE 0x80000000
#endif
#ifndef SGDMA_SIM_MEM_SIZE
#define SGDMA_SIM_MEM_SIZE 0x01000000
#endif

#define XPAR_XAXIDMA_NUM_INSTANCES 1U
#define XPAR_AXIDMA_0_DEVICE_ID 0U
#define XPAR_AXIDMA_0_BASEADDR SGDMA_SIM_REG_BASE
#define XPAR_AXI_DMA_0_BASEADDR SGDMA_SIM_REG_BASE
#define XPAR_AXIDMA_0_INCLUDE_SG 1U
#define XPAR_AXIDMA_0_INCLUDE_S2MM 1U
#define XPAR_AXIDMA_0_INCLUDE_MM2S 0U
#define XPAR_SGDMA_SIM_MEM_BASEADDR SGDMA_SIM_MEM_BASE
#define XPAR_SGDMA_SIM_MEM_HIGHADDR (SGDMA_SIM_MEM_BASE + SGDMA_SIM_MEM_SIZE - 1)

#endif
