# hw/rtl/ttq_mdp_framer.sv (MDP 3.0 framing/decode) against mdp3::decode_packet: sim/tb_mdp_framer.cpp.
ttq_verilator_tb(tb_mdp_framer TOP ttq_mdp_framer RTL ttq_mdp_framer.sv
                 TB ${CMAKE_CURRENT_LIST_DIR}/tb_mdp_framer.cpp)
