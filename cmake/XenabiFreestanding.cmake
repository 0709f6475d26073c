# Freestanding guest code: what a kernel that includes xenabi compiles with.
# -mgeneral-regs-only keeps SSE/x87 out of guest code (this machine's KVM emulates ring 0 and
# cannot execute SSE; see DESIGN.md section 3), -mno-red-zone because interrupts share the stack.
set(XENABI_FREESTANDING_FLAGS
  -ffreestanding -fno-exceptions -fno-rtti -nostdlib -mno-red-zone -mgeneral-regs-only
  -fno-stack-protector -fno-pic -fno-asynchronous-unwind-tables -fno-threadsafe-statics)
set(XENABI_FREESTANDING_LINK_FLAGS -nostdlib -static -nostartfiles -Wl,--build-id=none)

# xenabi_freestanding: INTERFACE target carrying the freestanding flags (C++ and asm).
add_library(xenabi_freestanding INTERFACE)
target_compile_options(xenabi_freestanding INTERFACE
  $<$<COMPILE_LANGUAGE:CXX,C>:${XENABI_FREESTANDING_FLAGS}>)
# With -mno-red-zone the raw hypercall sequence needs no red-zone skip (hypercall_raw.hpp).
target_compile_definitions(xenabi_freestanding INTERFACE XENABI_NO_RED_ZONE)
target_link_options(xenabi_freestanding INTERFACE ${XENABI_FREESTANDING_LINK_FLAGS})
target_link_libraries(xenabi_freestanding INTERFACE xenabi xenabi_warnings)
