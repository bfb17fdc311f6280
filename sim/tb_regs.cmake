# ttq_regs (AXI4-Lite register block) against the register map in card_regs.hpp. The check that
# the generated map files are fresh (regs.gen_check) lives in tests/ so it runs without Verilator.
ttq_verilator_tb(tb_regs TOP ttq_regs RTL ttq_regs_pkg.sv ttq_regs.sv
                 TB ${CMAKE_CURRENT_LIST_DIR}/tb_regs.cpp)
set_tests_properties(sim.tb_regs PROPERTIES TIMEOUT 60)

