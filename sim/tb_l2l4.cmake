# hw/rtl/ttq_l2l4.sv (L2-L4 header check) against ttq::parse_udp: sim/tb_l2l4.cpp.
ttq_verilator_tb(tb_l2l4 TOP ttq_l2l4 RTL ttq_l2l4.sv TB ${CMAKE_CURRENT_LIST_DIR}/tb_l2l4.cpp)
