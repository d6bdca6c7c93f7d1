/* Debugging: an empty symbol table for the first kernel link (see ksyms.h). */
    .section .ksyms, "a"
    .balign 8
    .global ksyms_count
ksyms_count:
    .quad 0
    .global ksyms_entries
ksyms_entries:
    .global ksyms_names
ksyms_names:
    .byte 0
