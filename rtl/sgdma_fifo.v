// sgdma_fifo: small synchronous show-ahead FIFO (descriptor queue, completion queue).
// The head entry is on dout whenever empty is low; rd_en pops it.  The user never writes
// when full nor reads when empty.  Storage has no reset, so it maps to distributed RAM.
`default_nettype none
module sgdma_fifo #(
    parameter WIDTH      = 8,
    parameter DEPTH_LOG2 = 2
) (
    input  wire                  clk,
    input  wire                  rst,
    input  wire                  wr_en,
    input  wire [WIDTH-1:0]      din,
    input  wire                  rd_en,
    output wire [WIDTH-1:0]      dout,
    output wire                  empty,
    output wire                  full,
    output wire [DEPTH_LOG2:0]   count
);
    localparam DEPTH = 1 << DEPTH_LOG2;

    reg [WIDTH-1:0]    mem [0:DEPTH-1];
    reg [DEPTH_LOG2:0] wp;
    reg [DEPTH_LOG2:0] rp;

    reg [DEPTH_LOG2:0] cnt;
    reg                empty_r, full_r;
    localparam [DEPTH_LOG2:0] LAST = DEPTH - 1;
    assign count = cnt;
    assign empty = empty_r;
    assign full  = full_r;
    assign dout  = mem[rp[DEPTH_LOG2-1:0]];

    always @(posedge clk) begin
        if (wr_en)
            mem[wp[DEPTH_LOG2-1:0]] <= din;
    end

    always @(posedge clk) begin
        if (rst) begin
            wp      <= {(DEPTH_LOG2+1){1'b0}};
            rp      <= {(DEPTH_LOG2+1){1'b0}};
            cnt     <= {(DEPTH_LOG2+1){1'b0}};
            empty_r <= 1'b1;
            full_r  <= 1'b0;
        end else begin
            if (wr_en) wp <= wp + 1'b1;
            if (rd_en) rp <= rp + 1'b1;
            case ({wr_en, rd_en})
                2'b10: begin
                    cnt     <= cnt + 1'b1;
                    empty_r <= 1'b0;
                    full_r  <= (cnt == LAST);
                end
                2'b01: begin
                    cnt     <= cnt - 1'b1;
                    empty_r <= (cnt == {{DEPTH_LOG2{1'b0}}, 1'b1});
                    full_r  <= 1'b0;
                end
                default: ;
            endcase
        end
    end
endmodule
`default_nettype wire
