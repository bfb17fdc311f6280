# tb_quote_fifo: hw/rtl/ttq_quote_fifo.sv (output queue, drop + count on full) against a C++
# reference queue, random input bursts and back-pressure, no-stall latency (sim/tb_quote_fifo.cpp).
ttq_verilator_tb(tb_quote_fifo TOP ttq_quote_fifo RTL ttq_quote_fifo.sv
                 TB ${CMAKE_CURRENT_LIST_DIR}/tb_quote_fifo.cpp)
