// The fake hypercall page: see fake_hypercall_page.hpp.
#include "fake_hypercall_page.hpp"

fake_record xenabi_test_fake_rec;

// The stubs write 0xdeadbeef0000000<i> (i386: 0xdead000<i>) into argument register i.
#if defined(__x86_64__)
__asm__(R"(
  .pushsection .text.xenabi_test_fake_page, "ax", @progbits
  .balign 4096
  .globl xenabi_test_fake_page
xenabi_test_fake_page:
  .set slot_nr, 0
  .rept 128
    pushq $slot_nr
    jmp xenabi_test_fake_common
    .balign 32
    .set slot_nr, slot_nr + 1
  .endr
xenabi_test_fake_common:
  pushq %rbx
  leaq xenabi_test_fake_rec(%rip), %rbx
  movq %rax, 0(%rbx)
  movq 8(%rsp), %rax
  movq %rax, 8(%rbx)
  movq %rdi, 16(%rbx)
  movq %rsi, 24(%rbx)
  movq %rdx, 32(%rbx)
  movq %r10, 40(%rbx)
  movq %r8, 48(%rbx)
  movq %r9, 56(%rbx)
  movq %rcx, 64(%rbx)
  movq %r11, 72(%rbx)
  leaq 24(%rsp), %rax
  movq %rax, 80(%rbx)
  incq 104(%rbx)
  movq 88(%rbx), %rax
  cmpq $1, %rax
  jb 1f
  movabsq $0xdeadbeef00000001, %rdi
  cmpq $2, %rax
  jb 1f
  movabsq $0xdeadbeef00000002, %rsi
  cmpq $3, %rax
  jb 1f
  movabsq $0xdeadbeef00000003, %rdx
  cmpq $4, %rax
  jb 1f
  movabsq $0xdeadbeef00000004, %r10
  cmpq $5, %rax
  jb 1f
  movabsq $0xdeadbeef00000005, %r8
1:
  movq 96(%rbx), %rax
  popq %rbx
  addq $8, %rsp
  ret
  .popsection
)");
#else
__asm__(R"(
  .pushsection .text.xenabi_test_fake_page, "ax", @progbits
  .balign 4096
  .globl xenabi_test_fake_page
xenabi_test_fake_page:
  .set slot_nr, 0
  .rept 128
    pushl $slot_nr
    jmp xenabi_test_fake_common
    .balign 32
    .set slot_nr, slot_nr + 1
  .endr
xenabi_test_fake_common:
  pushl %ebp
  movl $xenabi_test_fake_rec, %ebp
  movl %eax, 0(%ebp)
  movl 4(%esp), %eax
  movl %eax, 4(%ebp)
  movl %ebx, 8(%ebp)
  movl %ecx, 12(%ebp)
  movl %edx, 16(%ebp)
  movl %esi, 20(%ebp)
  movl %edi, 24(%ebp)
  leal 12(%esp), %eax
  movl %eax, 40(%ebp)
  incl 52(%ebp)
  movl 44(%ebp), %eax
  cmpl $1, %eax
  jb 1f
  movl $0xdead0001, %ebx
  cmpl $2, %eax
  jb 1f
  movl $0xdead0002, %ecx
  cmpl $3, %eax
  jb 1f
  movl $0xdead0003, %edx
  cmpl $4, %eax
  jb 1f
  movl $0xdead0004, %esi
  cmpl $5, %eax
  jb 1f
  movl $0xdead0005, %edi
1:
  movl 48(%ebp), %eax
  popl %ebp
  addl $4, %esp
  ret
  .popsection
)");
#endif

