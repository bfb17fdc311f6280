# tb_arbiter: hw/rtl/ttq_arbiter.sv against SeqArbiter + FastPath's pre-check and restart rules,
# random A/B traffic, idles and back-pressure, no-stall latency (sim/tb_arbiter.cpp).
ttq_verilator_tb(tb_arbiter TOP ttq_arbiter RTL ttq_arbiter.sv
                 TB ${CMAKE_CURRENT_LIST_DIR}/tb_arbiter.cpp)
