/* PVH entry for examples/hello (and the test kernels): Xen ELF note PHYS32_ENTRY, 32-bit flat
 * protected mode with paging off and %ebx = hvm_start_info, then our own GDT, identity page
 * tables (first 1 GiB, 2 MiB pages), long mode, a stack, and kmain(start_info) in C++.
 * Also: the interrupt stubs (exceptions 0-31 -> hello_exception, event upcall -> hello_upcall). */

/* [pvh_note] the PVH entry note (porting-guide/02-booting.md shows this region) */
        .section .note.Xen, "a", @note
        .balign 4
        .long 4                 /* namesz: "Xen\0" */
        .long 4                 /* descsz */
        .long 18                /* XEN_ELFNOTE_PHYS32_ENTRY */
        .asciz "Xen"
        .long pvh_start32
        .balign 4
/* [pvh_note] */

        .section .text.boot, "ax"
        .code32
        .globl pvh_start32
pvh_start32:
        cli
        cld
        mov     %ebx, %esi                      /* keep the start info pointer */
        lgdt    gdt_desc
        mov     $0x10, %eax
        mov     %eax, %ds
        mov     %eax, %es
        mov     %eax, %ss
        mov     $boot_stack_top, %esp
        mov     %cr4, %eax
        or      $0x20, %eax                     /* CR4.PAE */
        mov     %eax, %cr4
        mov     $boot_pml4, %eax
        mov     %eax, %cr3
        mov     $0xc0000080, %ecx               /* EFER */
        rdmsr
        or      $0x100, %eax                    /* EFER.LME */
        wrmsr
        mov     %cr0, %eax
        or      $0x80000001, %eax               /* CR0.PG | CR0.PE */
        mov     %eax, %cr0
        ljmp    $0x08, $start64

        .code64
start64:
        mov     $0x10, %eax
        mov     %eax, %ds
        mov     %eax, %es
        mov     %eax, %ss
        mov     %eax, %fs
        mov     %eax, %gs
        mov     $boot_stack_top, %rsp
        mov     %esi, %edi                      /* kmain(start_info physical address) */
        call    kmain
1:      hlt
        jmp     1b

/* Exceptions: push a zero error code where the CPU does not, then the vector. */
        .macro EXC n, err
exc_\n:
        .if \err == 0
        push    $0
        .endif
        push    $\n
        jmp     exc_common
        .endm
        EXC 0,0
        EXC 1,0
        EXC 2,0
        EXC 3,0
        EXC 4,0
        EXC 5,0
        EXC 6,0
        EXC 7,0
        EXC 8,1
        EXC 9,0
        EXC 10,1
        EXC 11,1
        EXC 12,1
        EXC 13,1
        EXC 14,1
        EXC 15,0
        EXC 16,0
        EXC 17,1
        EXC 18,0
        EXC 19,0
        EXC 20,0
        EXC 21,1
        EXC 22,0
        EXC 23,0
        EXC 24,0
        EXC 25,0
        EXC 26,0
        EXC 27,0
        EXC 28,0
        EXC 29,1
        EXC 30,1
        EXC 31,0
exc_common:
        mov     %rsp, %rdi                      /* -> {vector, error, rip, cs, rflags, rsp, ss} */
        and     $-16, %rsp
        call    hello_exception                 /* does not return */
2:      hlt
        jmp     2b

        .section .rodata
        .balign 8
        .globl exception_stubs
exception_stubs:
        .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        .quad exc_\n
        .endr

        .text
/* The event-channel upcall (HVM_PARAM_CALLBACK_IRQ vector): save the caller-saved registers,
 * call hello_upcall(), restore, iretq. Entry RSP is 8 mod 16; nine pushes make it 0 mod 16. */
        .globl upcall_entry
upcall_entry:
        push    %rax
        push    %rcx
        push    %rdx
        push    %rsi
        push    %rdi
        push    %r8
        push    %r9
        push    %r10
        push    %r11
        call    hello_upcall
        pop     %r11
        pop     %r10
        pop     %r9
        pop     %r8
        pop     %rdi
        pop     %rsi
        pop     %rdx
        pop     %rcx
        pop     %rax
        iretq

        .section .rodata
        .balign 8
gdt:
        .quad   0                               /* null */
        .quad   0x00af9a000000ffff              /* 0x08: 64-bit code */
        .quad   0x00cf92000000ffff              /* 0x10: data */
gdt_end:
gdt_desc:
        .word   gdt_end - gdt - 1
        .quad   gdt

/* Identity map of the first 1 GiB with 2 MiB pages, built by the assembler. */
        .section .data.pagetables, "aw"
        .balign 4096
boot_pml4:
        .quad   boot_pdpt + 0x3
        .fill   511, 8, 0
boot_pdpt:
        .quad   boot_pd + 0x3
        .fill   511, 8, 0
boot_pd:
        .set    i, 0
        .rept   512
        .quad   (i << 21) | 0x83                /* present, writable, 2 MiB */
        .set    i, i + 1
        .endr

        .section .bss
        .balign 16
boot_stack:
        .skip   16384
boot_stack_top:

        .section .note.GNU-stack, "", @progbits
