# tb_line_filter: hw/rtl/ttq_line_filter.sv against FastPath::process's line rule, random tables,
# idles and back-pressure, no-stall latency and throughput (sim/tb_line_filter.cpp).
ttq_verilator_tb(tb_line_filter TOP ttq_line_filter RTL ttq_line_filter.sv
                 TB ${CMAKE_CURRENT_LIST_DIR}/tb_line_filter.cpp)
