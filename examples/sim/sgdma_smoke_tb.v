// Smoke test for the FuseSoC sim target: reset the engine, read SGDMA_ID and S2MM_DMASR over
// AXI4-Lite and check their reset values.  The cocotb testbenches in tb/ are the real tests.
`timescale 1ns / 1ps
`include "sgdma_defs.vh"
module sgdma_smoke_tb;
    reg clk = 1'b0, resetn = 1'b0;
    always #5 clk = ~clk;

    reg  [9:0]  araddr = 10'd0;
    reg         arvalid = 1'b0;
    wire        arready, rvalid;
    wire [31:0] rdata;
    wire [1:0]  rresp;

    sgdma u_dma (
        .axi_aclk(clk), .axi_resetn(resetn),
        .s_axi_lite_awaddr(10'd0), .s_axi_lite_awvalid(1'b0), .s_axi_lite_awready(),
        .s_axi_lite_wdata(32'd0), .s_axi_lite_wvalid(1'b0), .s_axi_lite_wready(),
        .s_axi_lite_bresp(), .s_axi_lite_bvalid(), .s_axi_lite_bready(1'b1),
        .s_axi_lite_araddr(araddr), .s_axi_lite_arvalid(arvalid), .s_axi_lite_arready(arready),
        .s_axi_lite_rdata(rdata), .s_axi_lite_rresp(rresp), .s_axi_lite_rvalid(rvalid),
        .s_axi_lite_rready(1'b1),
        .m_axi_sg_awid(), .m_axi_sg_awaddr(), .m_axi_sg_awlen(), .m_axi_sg_awsize(),
        .m_axi_sg_awburst(), .m_axi_sg_awcache(), .m_axi_sg_awprot(), .m_axi_sg_awvalid(),
        .m_axi_sg_awready(1'b0), .m_axi_sg_wdata(), .m_axi_sg_wstrb(), .m_axi_sg_wlast(),
        .m_axi_sg_wvalid(), .m_axi_sg_wready(1'b0), .m_axi_sg_bid(1'b0), .m_axi_sg_bresp(2'b00),
        .m_axi_sg_bvalid(1'b0), .m_axi_sg_bready(), .m_axi_sg_arid(), .m_axi_sg_araddr(),
        .m_axi_sg_arlen(), .m_axi_sg_arsize(), .m_axi_sg_arburst(), .m_axi_sg_arcache(),
        .m_axi_sg_arprot(), .m_axi_sg_arvalid(), .m_axi_sg_arready(1'b0), .m_axi_sg_rid(1'b0),
        .m_axi_sg_rdata({64{1'b0}}), .m_axi_sg_rresp(2'b00), .m_axi_sg_rlast(1'b0),
        .m_axi_sg_rvalid(1'b0), .m_axi_sg_rready(),
        .m_axi_s2mm_awid(), .m_axi_s2mm_awaddr(), .m_axi_s2mm_awlen(), .m_axi_s2mm_awsize(),
        .m_axi_s2mm_awburst(), .m_axi_s2mm_awcache(), .m_axi_s2mm_awprot(), .m_axi_s2mm_awvalid(),
        .m_axi_s2mm_awready(1'b0), .m_axi_s2mm_wdata(), .m_axi_s2mm_wstrb(), .m_axi_s2mm_wlast(),
        .m_axi_s2mm_wvalid(), .m_axi_s2mm_wready(1'b0), .m_axi_s2mm_bid(1'b0),
        .m_axi_s2mm_bresp(2'b00), .m_axi_s2mm_bvalid(1'b0), .m_axi_s2mm_bready(),
        .s_axis_s2mm_tdata({64{1'b0}}), .s_axis_s2mm_tkeep(8'h00), .s_axis_s2mm_tlast(1'b0),
        .s_axis_s2mm_tvalid(1'b0), .s_axis_s2mm_tready(),
        .s2mm_introut()
    );

    task read_reg(input [9:0] addr, output [31:0] value);
        begin
            @(posedge clk) begin araddr <= addr; arvalid <= 1'b1; end
            @(posedge clk) while (!arready) @(posedge clk);
            arvalid <= 1'b0;
            while (!rvalid) @(posedge clk);
            value = rdata;
        end
    endtask

    reg [31:0] v;
    integer errors = 0;
    initial begin
        repeat (4) @(posedge clk);
        resetn <= 1'b1;
        repeat (4) @(posedge clk);
        read_reg({2'b00, `SGDMA_REG_SGDMA_ID}, v);
        if (v !== `SGDMA_RESET_SGDMA_ID) begin $display("FAIL: SGDMA_ID %h", v); errors = errors + 1; end
        read_reg({2'b00, `SGDMA_REG_S2MM_DMASR}, v);
        if (v !== `SGDMA_RESET_S2MM_DMASR) begin $display("FAIL: S2MM_DMASR %h", v); errors = errors + 1; end
        if (errors == 0) $display("PASS: sgdma smoke test");
        else $fatal(1, "%0d errors", errors);
        $finish;
    end
    initial begin #100000 $fatal(1, "FAIL: timeout"); end
endmodule
