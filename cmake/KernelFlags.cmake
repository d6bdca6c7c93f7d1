# Compiler and linker flags for the freestanding kernel.
#
# Why each flag:
#  -ffreestanding -nostdlib     no hosted runtime; only header-only std facilities are used
#  -fno-exceptions -fno-rtti    no unwinder or type info in the kernel
#  -mno-red-zone                interrupts arrive on the current kernel stack
#  -mcmodel=kernel              the image lives in the top 2 GiB (0xffffffff80000000)
#  -mgeneral-regs-only          no SSE/x87 in kernel code: user FPU state stays untouched
#  -fno-omit-frame-pointer      cheap, reliable backtraces in panics
#  -mstack-protector-guard=global  canary from __stack_chk_guard: GS belongs to per-CPU data
set(STRIX_KERNEL_CXX_FLAGS
  -ffreestanding -fno-exceptions -fno-rtti -fno-threadsafe-statics -fno-use-cxa-atexit
  -fno-asynchronous-unwind-tables -fno-pic -fno-pie -fno-common -fno-strict-aliasing
  -mno-red-zone -mcmodel=kernel -mgeneral-regs-only -mno-mmx -mno-sse -mno-sse2
  -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer
  -fstack-protector-strong -mstack-protector-guard=global
  -fno-delete-null-pointer-checks -fwrapv-pointer
  -Wall -Wextra -Werror -Wno-missing-field-initializers -Wshadow=local -Wnon-virtual-dtor
  -Wno-volatile -Wimplicit-fallthrough
  -ffunction-sections -fdata-sections)

# The test kernel's sanitizer (kernel/debug/ubsan.cpp is its runtime). alignment is off:
# the kernel deliberately reads packed firmware tables; everything else is reported and
# the kernel keeps running (-fsanitize-recover), as Linux's UBSAN does.
set(STRIX_UBSAN_FLAGS -fsanitize=undefined -fno-sanitize=alignment -fno-sanitize=vptr
  -fsanitize-recover=undefined -DSTRIX_UBSAN=1)

set(STRIX_KERNEL_LINK_FLAGS
  -nostdlib -static -no-pie -Wl,--no-dynamic-linker -Wl,-z,max-page-size=0x1000
  -Wl,--build-id=none -Wl,-z,noexecstack -Wl,--gc-sections -Wl,-n)
