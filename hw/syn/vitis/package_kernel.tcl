# Packages the ttq RTL as a Vitis RTL kernel (.xo). UNTRIED: written from the Vitis 2022.2
# documentation (package_xo / ipx), no Vivado on the machine this was written on; docs/card.md.
# Usage, from hw/:  vivado -mode batch -source syn/vitis/package_kernel.tcl -tclargs <part> <out.xo>
# The card-level top `ttq_kernel` (ap_clk / ap_rst_n, s_axi_control = the register map of
# hw/regmap/ttq_regs.toml, s_axis_frame in, m_axis_quote out, user-managed control) does not
# exist in hw/rtl yet: it is the next RTL issue's deliverable.
set part  [lindex $argv 0]
set xo    [lindex $argv 1]
set proj  [file normalize ./build_xo]
create_project -force ttq_kernel_pkg $proj -part $part
# Same ordered list as Verilator and yosys (hw/ttq.f), minus the Verilator waivers.
set fh [open ttq.f r]
foreach line [split [read $fh] "\n"] {
  set l [string trim $line]
  if {$l eq "" || [string match "//*" $l] || [string match "*.vlt" $l]} continue
  add_files -norecurse $l
}
close $fh
add_files -norecurse rtl/ttq_kernel.sv
set_property top ttq_kernel [current_fileset]
update_compile_order -fileset sources_1
ipx::package_project -root_dir $proj/ip -vendor ttq.dev -library ttq -taxonomy /KernelIP \
  -import_files -set_current false
ipx::unload_core $proj/ip/component.xml
ipx::edit_ip_in_project -upgrade true -name tmp_edit -directory $proj/ip $proj/ip/component.xml
set core [ipx::current_core]
set_property sdx_kernel true $core
set_property sdx_kernel_type rtl $core
# User-managed kernel: no ap_ctrl block, the host drives the register map with xrt::ip.
set_property ipi_drc {ignore_freq_hz false} $core
ipx::associate_bus_interfaces -busif s_axi_control -clock ap_clk $core
ipx::associate_bus_interfaces -busif s_axis_frame  -clock ap_clk $core
ipx::associate_bus_interfaces -busif m_axis_quote  -clock ap_clk $core
ipx::infer_bus_interface ap_rst_n xilinx.com:signal:reset_rtl:1.0 $core
set_property xpm_libraries {XPM_CDC XPM_MEMORY XPM_FIFO} $core
ipx::update_checksums $core
ipx::save_core $core
close_project -delete
package_xo -xo_path $xo -kernel_name ttq_kernel -ip_directory $proj/ip -ctrl_protocol user_managed
