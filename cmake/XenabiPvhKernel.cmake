# xenabi_add_pvh_kernel(NAME SOURCES...): a freestanding PVH guest kernel NAME.elf built from
# SOURCES plus the shared entry code of examples/hello (start.S: Xen PHYS32_ENTRY note, long
# mode, interrupt stubs; runtime.cpp; kernel.hpp; hello.ld at 1 MiB). Used by examples/hello
# and the xenhv integration-test kernels.
enable_language(ASM)
set(XENABI_PVH_KERNEL_DIR ${PROJECT_SOURCE_DIR}/examples/hello)
function(xenabi_add_pvh_kernel name)
  add_executable(${name} ${ARGN} ${XENABI_PVH_KERNEL_DIR}/start.S ${XENABI_PVH_KERNEL_DIR}/runtime.cpp)
  set_target_properties(${name} PROPERTIES OUTPUT_NAME ${name}.elf SUFFIX "")
  target_link_libraries(${name} PRIVATE xenabi_freestanding)
  target_include_directories(${name} PRIVATE ${XENABI_PVH_KERNEL_DIR})
  # Baseline x86-64 without SSE/x87 (DESIGN.md section 3: this machine's KVM emulates ring 0 and
  # cannot execute them), small code model at 1 MiB, not position independent.
  target_compile_options(${name} PRIVATE -march=x86-64 -mtune=generic -mcmodel=small -mno-sse -mno-mmx
                         -fno-builtin $<$<CXX_COMPILER_ID:GNU>:-fno-tree-loop-distribute-patterns>
                         -O2 -DXENABI_GUEST_MODE_PVH)
  target_link_options(${name} PRIVATE -no-pie -Wl,-T,${XENABI_PVH_KERNEL_DIR}/hello.ld -Wl,-z,noexecstack)
  set_target_properties(${name} PROPERTIES LINK_DEPENDS ${XENABI_PVH_KERNEL_DIR}/hello.ld)
endfunction()
